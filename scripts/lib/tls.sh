# shellcheck shell=bash
# TLS material and Pulsar token keys for the local brokers, generated on first use (openssl, keytool), never
# committed: $MQCTL_HOME/tls/
#   ca.pem ca.key                  a test CA (10 years)
#   server.pem server.key          the brokers' certificate, signed by the CA, SAN IP:127.0.0.1 and DNS:localhost
#   client.pem client.key          a client certificate (CN=mqctl-client) for mutual TLS, signed by the CA
#   server.p12 truststore.p12      PKCS12 keystore (server key + chain) and truststore (the CA), password mqctl-store
#   token-secret.key               Pulsar's HS256 secret key (32 random bytes)
#   superuser.token                a token for role mqctl-super (the brokers' own client and admin scripts)
# `bash scripts/brokers.sh token ROLE` prints a token for ROLE signed with the secret key.
# Idempotent: existing files are kept (a broker restart does not invalidate certificates or tokens).

MQCTL_TLS="$MQCTL_HOME/tls"
MQCTL_STORE_PASSWORD=mqctl-store
PULSAR_SUPERUSER=mqctl-super

# b64url: base64url without padding, from stdin.
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# pulsar_token ROLE [EXP_EPOCH]: an HS256 JWT {"sub":ROLE[,"exp":EXP]} signed with token-secret.key.
pulsar_token() {
  tls_ensure >/dev/null
  sign_pulsar_token "$@"
}

sign_pulsar_token() {
  local role="$1" exp="${2:-}" header payload hexkey sig
  header="$(printf '%s' '{"alg":"HS256"}' | b64url)"
  if [[ -n "$exp" ]]; then payload="$(printf '{"sub":"%s","exp":%s}' "$role" "$exp" | b64url)"
  else payload="$(printf '{"sub":"%s"}' "$role" | b64url)"; fi
  hexkey="$(od -An -v -tx1 "$MQCTL_TLS/token-secret.key" | tr -d ' \n')"
  sig="$(printf '%s' "$header.$payload" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | b64url)"
  printf '%s.%s.%s\n' "$header" "$payload" "$sig"
}

# tls_ensure: create whatever is missing under $MQCTL_TLS; prints the directory.
tls_ensure() {
  require_cmd openssl openssl
  mkdir -p "$MQCTL_TLS"
  chmod 755 "$MQCTL_TLS"
  (
    cd "$MQCTL_TLS" || exit 1
    exec 9>.lock
    flock -w 60 9 || die "tls: another brokers.sh is generating $MQCTL_TLS"
    if [[ ! -s ca.pem || ! -s ca.key ]]; then
      rm -f server.pem client.pem server.p12 truststore.p12
      openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=mqctl test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout ca.key -out ca.pem >/dev/null 2>&1 || die "tls: creating the CA failed"
    fi
    local name
    for name in server client; do
      [[ -s $name.pem && -s $name.key ]] && continue
      local ext
      if [[ $name == server ]]; then
        ext="subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth,clientAuth
keyUsage=critical,digitalSignature,keyEncipherment"
      else
        ext="extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature,keyEncipherment"
      fi
      openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=mqctl-$name" -keyout "$name.key" -out "$name.csr" \
        >/dev/null 2>&1 || die "tls: creating the $name key failed"
      openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -sha256 \
        -extfile <(printf '%s\n' "$ext") -out "$name.pem" >/dev/null 2>&1 || die "tls: signing the $name certificate failed"
      rm -f "$name.csr"
      rm -f server.p12 truststore.p12
    done
    if [[ ! -s server.p12 ]]; then
      openssl pkcs12 -export -name mqctl-server -inkey server.key -in server.pem -certfile ca.pem \
        -passout "pass:$MQCTL_STORE_PASSWORD" -out server.p12 >/dev/null 2>&1 || die "tls: writing server.p12 failed"
    fi
    if [[ ! -s truststore.p12 ]]; then
      require_cmd keytool openjdk-17-jdk-headless
      keytool -importcert -noprompt -alias mqctl-ca -file ca.pem -keystore truststore.p12.tmp -storetype PKCS12 \
        -storepass "$MQCTL_STORE_PASSWORD" >/dev/null 2>&1 || die "tls: writing truststore.p12 failed"
      mv truststore.p12.tmp truststore.p12
    fi
    if [[ ! -s token-secret.key ]]; then
      head -c 32 /dev/urandom >token-secret.key.tmp && mv token-secret.key.tmp token-secret.key
      rm -f superuser.token
    fi
    if [[ ! -s superuser.token ]]; then
      sign_pulsar_token "$PULSAR_SUPERUSER" >superuser.token.tmp && mv superuser.token.tmp superuser.token
    fi
    # readable by the test processes; the keys are test material for loopback brokers only
    chmod 644 ./*.pem ./*.p12 ./*.key ./*.token
  ) || exit 1
  printf '%s\n' "$MQCTL_TLS"
}
