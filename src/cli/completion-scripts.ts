/** The shells `mqctl completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/**
 * The completion script for one shell. Every Tab runs `<bin> __complete <words...>` (the words after the
 * command name, the last one being the word under the cursor), which prints candidates one per line; with
 * none, the shell falls back to file names (for --result, --report, ...).
 */
export function completionScript(shell: CompletionShell, bin: string): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}_completion`;
  switch (shell) {
    case 'bash':
      return `# ${bin} completion for bash. Load it with:  source <(${bin} completion bash)
${fn}() {
  local IFS=$'\\n'
  local -a candidates
  candidates=($(${bin} __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  COMPREPLY=("\${candidates[@]}")
}
complete -o default -o nosort -F ${fn} ${bin} 2>/dev/null || complete -o default -F ${fn} ${bin}
`;
    case 'zsh':
      return `#compdef ${bin}
# ${bin} completion for zsh. Load it with:  source <(${bin} completion zsh)
${fn}() {
  local -a candidates
  candidates=("\${(@f)$(${bin} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=("\${(@)candidates:#}")
  if (( \${#candidates} )); then
    compadd -Q -- "\${candidates[@]}"
  else
    _files
  fi
}
if (( $+functions[compdef] )); then
  compdef ${fn} ${bin}
fi
`;
    case 'fish':
      return `# ${bin} completion for fish. Load it with:  ${bin} completion fish | source
function __${fn}
    set -l words (commandline -opc)
    set -e words[1]
    ${bin} __complete -- $words (commandline -ct) 2>/dev/null
end
complete -c ${bin} -f -a '(__${fn})'
`;
  }
}
