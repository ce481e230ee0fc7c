import { Args } from '@oclif/core';
import { BaseCommand, commonFlags } from '../src/cli/base-command';
import { COMPLETION_SHELLS, completionScript, type CompletionShell } from '../src/cli/completion-scripts';

export default class Completion extends BaseCommand<typeof Completion> {
  static override summary = 'Print the shell completion script (bash, zsh or fish) on stdout';
  static override description =
    'Completes commands, subcommands, flags, flag values with fixed choices (--kind, -o, ...) and, from the ' +
    'current context (or the --context/--kind/connection flags already on the line), context names, ' +
    'topics, consumer groups and queues. Broker lookups give up after 2 s and never print errors.\n\n' +
    'Install (the script goes to stdout; nothing is written for you):\n' +
    'bash: add  source <(<%= config.bin %> completion bash)  to ~/.bashrc\n' +
    'zsh: add  source <(<%= config.bin %> completion zsh)  to ~/.zshrc, after compinit\n' +
    'fish: <%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish\n\n' +
    'The script calls `<%= config.bin %>` for every Tab, so nothing needs refreshing when commands or ' +
    'contexts change.';
  static override examples = [
    '<%= config.bin %> completion bash > ~/.local/share/bash-completion/completions/<%= config.bin %>',
    '<%= config.bin %> completion zsh > ~/.<%= config.bin %>-completion.zsh  # and in ~/.zshrc: source ~/.<%= config.bin %>-completion.zsh',
    '<%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish',
  ];
  /** The name @oclif/plugin-autocomplete used; kept so old instructions still work. */
  static override hiddenAliases = ['autocomplete'];
  static override baseFlags = commonFlags;
  static override args = {
    shell: Args.string({ description: 'shell', required: true, options: [...COMPLETION_SHELLS] }),
  };

  async run(): Promise<void> {
    this.out(completionScript(this.args.shell as CompletionShell, this.config.bin));
  }
}
