import { Command } from '@oclif/core';
import { completionRequest, finishCandidates, type CompletionCommand } from '../src/cli/completion';
import { lookupNames } from '../src/cli/completion-sources';

/**
 * Hidden: what the completion scripts call on every Tab, like cobra's `__complete`. The words after
 * `mqctl` (the last one being the word under the cursor) in, candidates one per line out. Never prints an
 * error and always exits 0: a broken lookup offers nothing.
 */
export default class Complete extends Command {
  static override hidden = true;
  static override strict = false;
  static override summary =
    'Completion candidates for the words typed so far (used by the completion scripts)';

  async run(): Promise<void> {
    process.stderr.write = (() => true) as typeof process.stderr.write;
    let lines: string[] = [];
    try {
      const words = this.argv[0] === '--' ? this.argv.slice(1) : this.argv;
      const commands = this.config.commands as unknown as CompletionCommand[];
      const request = completionRequest(commands, words.length > 0 ? words : ['']);
      const looked = request.dynamic ? await lookupNames(request.dynamic, request.typedFlags) : [];
      lines = finishCandidates(request, looked);
    } catch {
      lines = [];
    }
    // Answer and end at once: a lookup that gave up may leave a client retrying in the background.
    const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
    await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
    process.exit(0);
  }
}
