#!/usr/bin/env bash
# npm run test:mutation [module ...]: Stryker over the pure modules (see stryker.config.mjs), one run per
# module group; reports in reports/mutation/<module>.json, a score per file on stdout. Slow (tens of minutes
# on 2 cores): kept out of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(gates lag dlq config duration redact)
for module in "${modules[@]}"; do
  echo "== mutation: $module"
  MQCTL_MUTATION_MODULE=$module npx stryker run stryker.config.mjs
done
node scripts/mutation-scores.js "${modules[@]}"
