# shellcheck shell=bash
# ensure_jars TOOL: copy the runtime closure of scripts/maven/TOOL/pom.xml from Maven Central into
# $MQCTL_HOME/jars/TOOL/ and print that folder. A marker file holds the hash of the POM (and of the
# settings file); when it matches, nothing is resolved again (no network, no mvn needed).

MQCTL_DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

jars_hash() {
  cat "$MQCTL_SCRIPTS_DIR/maven/$1/pom.xml" "$MQCTL_SCRIPTS_DIR/maven/settings.xml" | sha256sum | cut -d' ' -f1
}

ensure_jars() {
  local tool="$1"
  local pom="$MQCTL_SCRIPTS_DIR/maven/$tool/pom.xml"
  local dir="$MQCTL_JARS/$tool" marker="$MQCTL_JARS/$tool/.mqctl-complete"
  local want
  [[ -f "$pom" ]] || die "no POM for '$tool' at $pom"
  want="$(jars_hash "$tool")"
  if [[ -f "$marker" && "$(<"$marker")" == "$want" ]]; then
    printf '%s' "$dir"; return 0
  fi

  mkdir -p "$MQCTL_JARS"
  local lockfd
  exec {lockfd}>"$MQCTL_JARS/.$tool.lock"
  flock -w 900 "$lockfd" || die "$tool: another process has been resolving jars for 900s ($MQCTL_JARS/.$tool.lock)"
  # Someone else may have finished while we waited for the lock.
  if [[ -f "$marker" && "$(<"$marker")" == "$want" ]]; then
    exec {lockfd}>&-; printf '%s' "$dir"; return 0
  fi

  require_mvn
  local tmp="$MQCTL_JARS/.$tool.tmp" log="$MQCTL_JARS/$tool.mvn.log" t0
  rm -rf "$tmp"
  t0=$(now_s)
  say "$tool: resolving jars from Maven Central into $dir (first time only; log: $log)"
  if ! timeout 900 mvn -B -ntp -s "$MQCTL_SCRIPTS_DIR/maven/settings.xml" -f "$pom" \
        "$MQCTL_DEP_PLUGIN:copy-dependencies" \
        -DoutputDirectory="$tmp" -DincludeScope=runtime -Dmdep.useBaseVersion=true >"$log" 2>&1; then
    grep -E '^\[ERROR\]' "$log" | head -n 5 >&2
    exec {lockfd}>&-
    die "$tool: Maven could not resolve the jars from Maven Central (see $log; check network access to Maven Central)"
  fi
  rm -rf "$dir"
  mv "$tmp" "$dir"
  printf '%s' "$want" >"$marker"
  say "$tool: $(find "$dir" -name '*.jar' | wc -l) jars, $(du -sh "$dir" | cut -f1), in $(( $(now_s) - t0 ))s"
  exec {lockfd}>&-
  printf '%s' "$dir"
}
