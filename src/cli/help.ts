import { join } from 'node:path';
import { Help, type Command } from '@oclif/core';
import { EXIT_CODE_HELP } from '../core/errors';

/**
 * docs/ and deploy/ paths a help text names (`docs/dlq.md`, `deploy/`), in order, each once. Both folders ship
 * in the npm package (package.json `files`), so every one of them is in the installed package too.
 */
export function shippedPathsIn(text: string): string[] {
  const found = text.match(/\b(?:docs|deploy)\/[\w./-]*/g) ?? [];
  return [...new Set(found.map((p) => p.replace(/\.+$/, '')))];
}

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

  /**
   * A command's help, then where the docs/ and deploy/ files it names are on this machine (an installed user has
   * no clone: they are in the package, under config.root), then the exit codes' pointer.
   */
  protected override formatCommand(command: Command.Loadable): string {
    const codes = Object.keys(EXIT_CODE_HELP).join(', ');
    const help = super.formatCommand(command);
    const paths = shippedPathsIn(help);
    const files = paths.length
      ? `\n\n${this.bold('FILES')}\n${paths.map((p) => `  ${p}: ${join(this.config.root, p)}`).join('\n')}`
      : '';
    return `${help}${files}\n\n${this.bold('EXIT CODES')}\n  ${codes}: meanings in \`${this.config.bin} --help\``;
  }

  private bold(title: string): string {
    return process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${title}\u001b[22m` : title;
  }
}
