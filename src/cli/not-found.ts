import { Errors, type Hook } from '@oclif/core';

/**
 * oclif's `command_not_found` hook. With spaces between topic and command, oclif reads every word before
 * the first flag as part of the command id when the command takes no arguments, so `mqctl cluster info x`
 * arrives here as `cluster:info:x`: the longest known command in front runs with the rest of the words,
 * and its own parser says "unexpected argument" (exit 2). A word that names no command is one error line
 * (exit 2) with the closest command, instead of a warning plus a second line that does not say what was
 * wrong.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const ids = opts.config.commandIDs;
  const parts = opts.id.split(':');
  for (let n = parts.length - 1; n > 0; n--) {
    const prefix = parts.slice(0, n).join(':');
    if (ids.includes(prefix))
      return opts.config.runCommand(prefix, [...parts.slice(n), ...(opts.argv ?? [])]);
  }
  const typed = parts.join(' ');
  const hidden = new Set(opts.config.commands.filter((c) => c.hidden).map((c) => c.id));
  const closest = closestId(
    opts.id,
    ids.filter((id) => !hidden.has(id)),
  );
  const suggestion = closest ? ` — did you mean \`${opts.config.bin} ${closest.split(':').join(' ')}\`?` : '';
  throw new Errors.CLIError(
    `unknown command "${typed}"${suggestion} (\`${opts.config.bin} --help\` lists every command)`,
    { exit: 2 },
  );
};

/** The known id nearest to `id` by edit distance, if it is near enough to be a likely typo. */
function closestId(id: string, ids: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of ids) {
    const d = distance(id, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(id.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

export default hook;
