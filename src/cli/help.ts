import { Help, type Command } from '@oclif/core';
import { EXIT_CODE_HELP } from '../core/errors';

/**
 * oclif's help plus the exit codes: the table once, in the root help (`mqctl --help`), and a one-line pointer
 * with the codes on every command, so scripts know what to expect without eight lines under each command.
 */
export default class MqctlHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp();
    const codes = Object.entries(EXIT_CODE_HELP)
      .map(([code, meaning]) => `  ${code.padEnd(4)} ${meaning}`)
      .join('\n');
    this.log(`${this.bold('EXIT CODES')}\n${codes}\n`);
  }

  protected override formatCommand(command: Command.Loadable): string {
    const codes = Object.keys(EXIT_CODE_HELP).join(', ');
    return `${super.formatCommand(command)}\n\n${this.bold('EXIT CODES')}\n  ${codes}: meanings in \`${this.config.bin} --help\``;
  }

  private bold(title: string): string {
    return process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${title}\u001b[22m` : title;
  }
}
