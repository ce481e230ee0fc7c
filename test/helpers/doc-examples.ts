import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..', '..');

/** One `mqctl ...` line from a fenced code block of README.md or docs/*.md. */
export interface DocExample {
  /** README.md, docs/topics.md, ... */
  file: string;
  /** 1-based line of the example's first line in that file. */
  line: number;
  /** The command as a user would type it (continuation lines joined, `$ ` prompt removed). */
  command: string;
  /** The words after `mqctl`, up to the trailing comment, as the shell would split them (no expansion). */
  argv: string[];
}

/** The Markdown files whose examples are promises to users. */
export function documentedFiles(): string[] {
  const docs = readdirSync(join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** Every `mqctl` command line inside fenced code blocks, in file order. */
export function docExamples(files = documentedFiles()): DocExample[] {
  const out: DocExample[] = [];
  for (const file of files) {
    const lines = readFileSync(join(REPO, file), 'utf8').split('\n');
    let inFence = false;
    let pending: { text: string; line: number } | undefined;
    lines.forEach((raw, index) => {
      if (/^\s*```/.test(raw)) {
        inFence = !inFence;
        pending = undefined;
        return;
      }
      if (!inFence) return;
      const text = pending ? `${pending.text} ${raw.trim()}` : raw;
      const line = pending ? pending.line : index + 1;
      if (/\\\s*$/.test(text)) {
        pending = { text: text.replace(/\\\s*$/, ''), line };
        return;
      }
      pending = undefined;
      const command = text.trim().replace(/^\$\s+/, '');
      if (!/^mqctl\s/.test(command)) return;
      out.push({ file, line, command, argv: shellWords(stripComment(command)).slice(1) });
    });
  }
  return out;
}

/** Removes a trailing `# comment` that is outside quotes. */
export function stripComment(command: string): string {
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(command[i - 1]!))) {
      return command.slice(0, i).trimEnd();
    }
  }
  return command.trimEnd();
}

/** Splits like a POSIX shell without expansion: single/double quotes, no variables, no globs. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | undefined;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = undefined;
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** The oclif manifest the build writes: command ids ("topic:config:set") and their flags. */
export interface ManifestCommand {
  id: string;
  flags: Record<string, { name: string; char?: string; allowNo?: boolean; type: string; hidden?: boolean }>;
  args: Record<string, unknown>;
  hidden?: boolean;
}

export function manifestCommands(): ManifestCommand[] {
  const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, ManifestCommand>;
  };
  // hidden commands (`__complete`, what the completion scripts call) are internal: not documented
  return Object.values(manifest.commands).filter((c) => !c.hidden);
}

/** The command an argv names: the longest run of leading words that is a command id. */
export function commandOf(argv: string[], commands: ManifestCommand[]): ManifestCommand | undefined {
  const ids = new Map(commands.map((c) => [c.id, c]));
  for (let n = Math.min(argv.length, 4); n >= 1; n--) {
    const id = argv.slice(0, n).join(':');
    if (ids.has(id)) return ids.get(id);
  }
  return undefined;
}

/** The flags an argv uses: `--name`, `--name=value`, `--no-name`, `-c`. */
export function flagsUsed(argv: string[]): string[] {
  const out: string[] = [];
  for (const word of argv) {
    if (word === '--') break;
    const long = /^--([a-z0-9][a-z0-9-]*)(=.*)?$/.exec(word);
    if (long) out.push(`--${long[1]}`);
    else if (/^-[a-zA-Z]$/.test(word)) out.push(word);
  }
  return out;
}

/** A `--flag` written in the text of a Markdown file (outside fenced code blocks). */
export interface ProseFlag {
  file: string;
  /** 1-based line. */
  line: number;
  /** The flag's name, without the dashes. */
  name: string;
  /** The paragraph, list item or table row it is in, lines joined: it names the tool a foreign flag is from. */
  block: string;
  /** The inline code span it is in (`topic list --internal`), when it is in one. */
  span?: string;
}

/**
 * Every `--flag` in the text of the given files: paragraphs, list items, table rows and inline code, not fenced
 * code blocks (docExamples covers those). A name is letters, digits, dots and dashes, ending in a letter or
 * digit; a prefix (`--to-…`) or pattern (`--to-*`) is no flag.
 */
export function proseFlags(files = documentedFiles()): ProseFlag[] {
  const out: ProseFlag[] = [];
  for (const file of files) {
    const lines = readFileSync(join(REPO, file), 'utf8').split('\n');
    let inFence = false;
    // the block (paragraph, list item, table row) each line belongs to, filled in once the block ends
    let block: ProseFlag[] = [];
    let blockText: string[] = [];
    const endBlock = () => {
      for (const flag of block) flag.block = blockText.join(' ');
      block = [];
      blockText = [];
    };
    lines.forEach((raw, index) => {
      if (/^\s*```/.test(raw)) {
        endBlock();
        inFence = !inFence;
        return;
      }
      if (inFence) return;
      if (/^\s*$/.test(raw) || /^#/.test(raw) || /^\s*([-*]|\d+\.)\s/.test(raw) || /^\s*\|/.test(raw))
        endBlock();
      if (/^\s*$/.test(raw)) return;
      blockText.push(raw.trim());
      const spans = [...raw.matchAll(/`([^`]+)`/g)].map((m) => ({
        from: m.index,
        to: m.index + m[0].length,
        text: m[1]!,
      }));
      for (const m of raw.matchAll(/(?<![\w./-])--([a-z0-9][a-z0-9.-]*[a-z0-9])(?![\w…*-])/gi)) {
        const span = spans.find((s) => s.from < m.index && m.index < s.to);
        const flag: ProseFlag = { file, line: index + 1, name: m[1]!, block: '', span: span?.text };
        block.push(flag);
        out.push(flag);
      }
    });
    endBlock();
  }
  return out;
}
