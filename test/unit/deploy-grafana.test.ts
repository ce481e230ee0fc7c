import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

/**
 * deploy/grafana/mqctl-lag.json against Grafana's own published schema: the dashboard, each panel, each
 * panel's options and its field config are type-checked against @grafana/schema (the TypeScript types Grafana
 * generates from its CUE kinds). The JSON is pasted as object literals, so TypeScript's excess-property and
 * literal checks apply: a misspelt key or an unknown enum value is an error. Grafana has no JSON Schema file
 * of the dashboard model to load instead.
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const DASHBOARD = join(ROOT, 'deploy', 'grafana', 'mqctl-lag.json');

/** Panel type → the @grafana/schema module of that panel plugin (exports Options and, for graphs, FieldConfig). */
const PLUGINS: Record<string, { module: string; fieldConfig: boolean }> = {
  timeseries: {
    module: '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen',
    fieldConfig: true,
  },
  stat: {
    module: '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen',
    fieldConfig: false,
  },
  'state-timeline': {
    module:
      '@grafana/schema/dist/esm/raw/composable/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen',
    fieldConfig: true,
  },
};

interface PanelJson {
  type: string;
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
}

function checkSource(dashboardText: string): string {
  const dashboard = JSON.parse(dashboardText) as { panels: PanelJson[] };
  const lines = [
    `import type { Dashboard } from '@grafana/schema';`,
    // JSON spells a TypeScript string enum member as its value ("absolute" for ThresholdsMode.Absolute).
    `type Json<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T : T extends Array<infer U> ? Array<Json<U>> : { [K in keyof T]: Json<T[K]> };`,
  ];
  const used = new Set(dashboard.panels.map((p) => p.type));
  for (const type of used) {
    const plugin = PLUGINS[type];
    assert.ok(plugin, `panel type ${type} has no schema module listed in this test`);
    lines.push(`import type * as ${ident(type)} from '${plugin.module}';`);
  }
  lines.push(`export const dashboard: Json<Dashboard> = ${dashboardText};`);
  dashboard.panels.forEach((panel, i) => {
    const plugin = PLUGINS[panel.type];
    lines.push(
      `export const options${i}: Json<${ident(panel.type)}.Options> = ${JSON.stringify(panel.options ?? {})};`,
    );
    if (plugin.fieldConfig && panel.fieldConfig?.defaults?.custom !== undefined)
      lines.push(
        `export const custom${i}: Json<${ident(panel.type)}.FieldConfig> = ${JSON.stringify(panel.fieldConfig.defaults.custom)};`,
      );
  });
  return lines.join('\n');
}

const ident = (type: string) => `P_${type.replace(/[^a-z]/g, '_')}`;

function typeErrors(source: string): string[] {
  const fileName = join(ROOT, 'test', '__grafana_dashboard_check.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => f === fileName || fileExists(f);
  host.readFile = (f) => (f === fileName ? source : readFile(f));
  host.getSourceFile = (f, v, onError, create) =>
    f === fileName ? ts.createSourceFile(f, source, v, true) : getSourceFile(f, v, onError, create);
  const program = ts.createProgram([fileName], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]);
}

describe('deploy/grafana dashboard', () => {
  const text = readFileSync(DASHBOARD, 'utf8');

  test('mqctl-lag.json type-checks against @grafana/schema (dashboard, panels, options, field config)', () => {
    assert.deepEqual(typeErrors(checkSource(text)), []);
  });

  test('the check rejects a misspelt panel key and an unknown legend mode (it is not vacuous)', () => {
    const broken = JSON.parse(text) as { panels: Array<Record<string, unknown>> };
    broken.panels[0] = { ...broken.panels[0], gridPosition: { h: 1, w: 1, x: 0, y: 0 } };
    const ts0 = broken.panels.findIndex((p) => p.type === 'timeseries');
    const options = broken.panels[ts0].options as { legend: Record<string, unknown> };
    options.legend.displayMode = 'sideways';
    const errors = typeErrors(checkSource(JSON.stringify(broken, null, 2)));
    assert.ok(
      errors.some((e) => e.includes('gridPosition')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.includes('"sideways"')),
      errors.join('\n'),
    );
  });

  test('every query reads a metric mqctl lag serve exports and every panel filters on $cluster', () => {
    const dashboard = JSON.parse(text) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    for (const panel of dashboard.panels)
      for (const target of panel.targets) {
        assert.match(target.expr, /mqctl_[a-z_]+/, panel.title);
        assert.match(target.expr, /cluster_name=~"\$cluster"/, panel.title);
      }
  });
});
