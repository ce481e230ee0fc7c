/**
 * oclif's parse errors are several lines (a list of missing arguments, "The following error occurred:",
 * "Parsing --x" then the reason on the next line, notes about multiple-value flags, "See more help").
 * mqctl prints one line, so this folds them into one that still names the argument or flag and says what
 * is expected: `missing required argument <name> (topic name)`, `missing required flag --destination`,
 * `--port: expected an integer less than or equal to 65535 but received: 99999`.
 */
const NOISE = [/^See more help with/i, /^Note: /, /^Alternatively, you can use/];

interface ParseErrorShape {
  message?: string;
  args?: { name?: string; description?: string }[] | string[];
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

export function parseErrorLine(error: ParseErrorShape): string {
  const message = stripAnsi(error.message ?? '');
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !NOISE.some((re) => re.test(l)));
  const first = lines[0] ?? message.trim();

  const missingArgs = /^Missing \d+ required args?/.exec(first);
  if (missingArgs) {
    const args = (error.args ?? []).filter(
      (a): a is { name?: string; description?: string } => typeof a === 'object',
    );
    const named = args.filter((a) => a.name);
    if (named.length > 0) {
      const list = named.map((a) => `<${a.name}>${a.description ? ` (${a.description})` : ''}`).join(', ');
      return `missing required argument${named.length === 1 ? '' : 's'} ${list}`;
    }
    // Without the structured list, the lines after the heading are "name  description".
    const names = lines.slice(1).map((l) => l.split(/\s{2,}/)[0]);
    return `missing required argument${names.length === 1 ? '' : 's'} ${names.map((n) => `<${n}>`).join(', ')}`;
  }

  if (/^The following errors? occurred:?$/.test(first)) {
    return lines
      .slice(1)
      .map((l) =>
        l.replace(
          /^Missing required flag (\S+)$/,
          (_m, f: string) => `missing required flag --${f.replace(/^--/, '')}`,
        ),
      )
      .join('; ');
  }

  const parsing = /^Parsing (--\S+)/.exec(first);
  if (parsing) {
    const reason = lines.slice(1).join(' ');
    return reason
      ? `${parsing[1]}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`
      : `${parsing[1]}: invalid value`;
  }

  return lines.join(' ');
}
