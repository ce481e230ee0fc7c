#!/usr/bin/env node
// Writes oclif.manifest.json (what `oclif manifest` does) so that `mqctl --help` lists commands without
// loading every command module. Kept here to avoid the heavy `oclif` dev dependency.
const fs = require('node:fs');
const path = require('node:path');
const { Plugin } = require('@oclif/core');

async function main() {
  const root = path.resolve(__dirname, '..');
  const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true });
  await plugin.load();
  fs.writeFileSync(path.join(root, 'oclif.manifest.json'), JSON.stringify(plugin.manifest, null, 2));
  console.error(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands`);
}

main().catch((error) => {
  console.error(`manifest generation failed: ${error.message}`);
  process.exit(1);
});
