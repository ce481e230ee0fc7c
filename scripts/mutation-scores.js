#!/usr/bin/env node
// Prints the mutation score per file from Stryker's JSON reports (reports/mutation/<module>.json):
// killed + timeout over all mutants that ran (no-coverage counts as survived: the command runner has none).
'use strict';
const { readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const modules = process.argv.slice(2);
for (const module of modules) {
  const file = join(__dirname, '..', 'reports', 'mutation', `${module}.json`);
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const [path, { mutants }] of Object.entries(report.files)) {
    const counted = mutants.filter((m) => !['CompileError', 'RuntimeError', 'Ignored'].includes(m.status));
    const detected = counted.filter((m) => m.status === 'Killed' || m.status === 'Timeout').length;
    const score = counted.length ? ((100 * detected) / counted.length).toFixed(1) : '-';
    console.log(`${module}\t${path}\t${score}%\t${detected}/${counted.length}`);
  }
}
