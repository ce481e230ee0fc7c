import { Help, type Command } from '@oclif/core';
import { EXIT_CODE_HELP } from './errors';

/** oclif's help plus the exit-code table on every command, so scripts know what to expect. */
export default class MqctlHelp extends Help {
  protected override formatCommand(command: Command.Loadable): string {
    const base = super.formatCommand(command);
    const width = 4;
    const codes = Object.entries(EXIT_CODE_HELP)
      .map(([code, meaning]) => `  ${code.padEnd(width)} ${meaning}`)
      .join('\n');
    return `${base}\n\n${this.bold('EXIT CODES')}\n${codes}`;
  }

  private bold(title: string): string {
    return process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${title}\u001b[22m` : title;
  }
}
