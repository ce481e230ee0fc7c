#!/usr/bin/env node
// node scripts/mutation-merge.js BEFORE.json RANGES.json [--ranges]: the score per file after tests were added,
// from a full run (BEFORE) and a run over the lines that held its survivors (RANGES, MQCTL_MUTATION_MUTATE):
// a mutant takes its status from RANGES when that run had it, else from BEFORE (a mutant killed before stays
// killed when tests are only added). Mutants are matched by file, start and end position, mutator and replacement.
// With --ranges: prints the MQCTL_MUTATION_MUTATE value for BEFORE's survivors instead (RANGES not needed).
'use strict';
const { readFileSync } = require('node:fs');

const [beforeFile, second] = process.argv.slice(2);
const before = JSON.parse(readFileSync(beforeFile, 'utf8'));
const key = (path, m) =>
  [
    path,
    m.location.start.line,
    m.location.start.column,
    m.location.end.line,
    m.location.end.column,
    m.mutatorName,
    m.replacement,
  ].join('\u0000');
const alive = (m) => m.status === 'Survived' || m.status === 'NoCoverage';

if (second === '--ranges') {
  const ranges = [];
  for (const [path, { mutants }] of Object.entries(before.files)) {
    const lines = new Set();
    for (const m of mutants.filter(alive)) {
      for (let l = m.location.start.line; l <= m.location.end.line; l++) lines.add(l);
    }
    for (const l of [...lines].sort((a, b) => a - b)) ranges.push(`${path}:${l}-${l}`);
  }
  console.log(ranges.join(','));
  process.exit(0);
}

const after = JSON.parse(readFileSync(second, 'utf8'));
const rerun = new Map();
for (const [path, { mutants }] of Object.entries(after.files)) for (const m of mutants) rerun.set(key(path, m), m);
for (const [path, { mutants }] of Object.entries(before.files)) {
  const count = { mutants: 0, killed: 0, survived: 0, timeout: 0, rerun: 0 };
  for (const m of mutants) {
    const again = rerun.get(key(path, m));
    const status = again ? again.status : m.status;
    if (again) count.rerun++;
    if (['CompileError', 'RuntimeError', 'Ignored'].includes(status)) continue;
    count.mutants++;
    if (status === 'Killed') count.killed++;
    else if (status === 'Timeout') count.timeout++;
    else count.survived++;
  }
  const score = count.mutants ? ((100 * (count.killed + count.timeout)) / count.mutants).toFixed(1) : '-';
  console.log(
    `${path}\tmutants ${count.mutants}\tkilled ${count.killed}\tsurvived ${count.survived}\ttimeout ${count.timeout}\t${score}%\t(re-run ${count.rerun})`,
  );
}
