#!/usr/bin/env node
// Writes docs/commands.md, the command reference, from oclif.manifest.json (what `--help` shows):
// every command with its usage, arguments, own flags and examples; the flags every command shares are
// listed once at the top. `--check` exits 1 when the committed file differs from the manifest, so a flag
// added, renamed or removed without its reference is a CI failure (test/unit/docs-reference.test.ts).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const target = path.join(root, 'docs', 'commands.md');

function flagWord(flag) {
  const value = flag.type === 'option' ? (flag.options ? ` ${flag.options.join('|')}` : ' <value>') : '';
  const short = flag.char ? `-${flag.char}, ` : '';
  const no = flag.allowNo ? ` / --no-${flag.name}` : '';
  return `${short}--${flag.name}${value}${no}`;
}

function cell(text) {
  return String(text ?? '')
    .replace(/\s+/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function flagRow(flag) {
  const extras = [];
  if (flag.default !== undefined && flag.default !== false) extras.push(`default: \`${cell(flag.default)}\``);
  if (flag.multiple) extras.push('repeatable');
  if (flag.required) extras.push('required');
  const more = extras.length ? ` (${extras.join(', ')})` : '';
  return `| \`${cell(flagWord(flag))}\` | ${cell(flag.description)}${more} |`;
}

function render(manifest) {
  const commands = Object.values(manifest.commands)
    .filter((c) => !c.hidden)
    .sort((a, b) => a.id.localeCompare(b.id));
  const count = new Map();
  for (const c of commands) for (const name of Object.keys(c.flags)) count.set(name, (count.get(name) ?? 0) + 1);
  // Shared: the global flags (on most commands; each command lists them when it takes fewer) and the
  // connection flags (on every command that connects).
  const byGlobal = new Map();
  for (const c of commands)
    for (const f of Object.values(c.flags)) if (f.helpGroup === 'GLOBAL' && !byGlobal.has(f.name)) byGlobal.set(f.name, f);
  const global = [...byGlobal.values()];
  const globalNames = new Set(global.map((f) => f.name));
  const connecting = commands.find((c) => c.flags.brokers && c.flags.context);
  const connection = Object.values(connecting.flags).filter(
    (f) => !globalNames.has(f.name) && count.get(f.name) >= commands.filter((c) => c.flags.brokers).length,
  );
  const shared = new Set([...globalNames, ...connection.map((f) => f.name)]);

  const out = [];
  out.push('# Command reference');
  out.push('');
  out.push('Generated from the CLI itself (`npm run docs:commands`; CI fails when this file and `--help` differ).');
  out.push('Every command also prints this with `mqctl <command> --help`. Exit codes: see the README.');
  out.push('');
  out.push('## Global flags');
  out.push('');
  out.push('Every command takes these unless its entry says it takes fewer: no `-o` where nothing is printed but');
  out.push('a note, no `--timeout` where no broker is contacted.');
  out.push('');
  out.push('| flag | meaning |');
  out.push('| --- | --- |');
  for (const f of global) out.push(flagRow(f));
  out.push('');
  out.push('## Connection flags');
  out.push('');
  out.push('Every command that talks to a broker takes these (precedence: flag, then `MQCTL_*` environment, then the');
  out.push('current context; see "Connecting" in the README).');
  out.push('');
  out.push('| flag | meaning |');
  out.push('| --- | --- |');
  for (const f of connection) out.push(flagRow(f));
  out.push('');
  out.push('## Commands');
  out.push('');
  for (const c of commands) {
    const words = c.id.split(':').join(' ');
    out.push(`### mqctl ${words}`);
    out.push('');
    if (c.summary) out.push(cell(c.summary));
    if (c.description) {
      out.push('');
      out.push(c.description.trim());
    }
    out.push('');
    const args = Object.values(c.args ?? {});
    const usageArgs = args.map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`)).join(' ');
    const connects = c.flags.brokers ? ' [connection flags]' : '';
    out.push('```');
    out.push(`mqctl ${words}${usageArgs ? ` ${usageArgs}` : ''} [flags]${connects}`);
    out.push('```');
    out.push('');
    const globalHere = global.filter((f) => c.flags[f.name]).map((f) => `\`--${f.name}\``);
    if (globalHere.length < global.length) {
      out.push(`Global flags: only ${globalHere.join(', ')}.`);
      out.push('');
    }
    if (args.length) {
      out.push('| argument | meaning |');
      out.push('| --- | --- |');
      for (const a of args) out.push(`| \`${a.name}\` | ${cell(a.description)}${a.required ? ' (required)' : ''} |`);
      out.push('');
    }
    const own = Object.values(c.flags).filter((f) => !shared.has(f.name) && !f.hidden);
    if (own.length) {
      out.push('| flag | meaning |');
      out.push('| --- | --- |');
      for (const f of own) out.push(flagRow(f));
      out.push('');
    }
    const examples = (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command));
    if (examples.length) {
      out.push('Examples:');
      out.push('');
      out.push('```sh');
      for (const e of examples) out.push(e.replace(/<%= config\.bin %>/g, 'mqctl'));
      out.push('```');
      out.push('');
    }
  }
  return out.join('\n');
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'));
const text = render(manifest);
if (process.argv.includes('--check')) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error('docs/commands.md is out of date with the CLI: run `npm run build && npm run docs:commands`');
    process.exit(1);
  }
} else {
  fs.writeFileSync(target, text);
  console.error(`docs/commands.md: ${Object.keys(manifest.commands).length} commands`);
}
