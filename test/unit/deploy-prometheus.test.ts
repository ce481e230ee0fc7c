import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { lagRegistry } from '../../src/lag/prometheus';
import { tempDir } from '../helpers/tmp';

/**
 * deploy/prometheus (alert and recording rules) and deploy/autoscaling (KEDA, HPA + prometheus-adapter) are
 * checked with Prometheus' own promtool: `check rules` parses every expression, `test rules` proves each alert
 * fires on the series it is written for. The PromQL of the dashboard and of the autoscaling examples is
 * parsed by promtool too (as recording rules of a throwaway file). The HPA is validated against the
 * Kubernetes OpenAPI schema (kubernetes-models).
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const PROM = join(ROOT, 'deploy', 'prometheus');
const AUTOSCALING = join(ROOT, 'deploy', 'autoscaling');

function promtool(args: string[], cwd = PROM): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT')
    assert.fail(
      'promtool not found: install Prometheus (Debian/Ubuntu: apt-get install prometheus); .ci/run does',
    );
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Parses PromQL with promtool by wrapping each expression in a recording rule of a temporary file. */
function checkExpressions(exprs: Record<string, string>): { code: number | null; out: string } {
  const dir = tempDir('mqctl-promql-');
  const rules = Object.entries(exprs).map(([name, expr], i) => ({
    record: `check:expr_${i}`,
    expr,
    labels: { name },
  }));
  writeFileSync(join(dir, 'exprs.yaml'), stringify({ groups: [{ name: 'exprs', rules }] }));
  return promtool(['check', 'rules', 'exprs.yaml'], dir);
}

/** Grafana variables replaced by values Prometheus accepts, as Grafana does before it sends a query. */
const grafanaToPromql = (expr: string) =>
  expr.replace(/\$__rate_interval/g, '1m').replace(/\$(cluster|kind|group|topic)\b/g, '.*');

describe('deploy/prometheus rules', () => {
  test('promtool check rules accepts mqctl-lag.rules.yaml (7 rules)', () => {
    const r = promtool(['check', 'rules', 'mqctl-lag.rules.yaml']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS: 7 rules found/);
  });

  test('promtool test rules: each alert fires on its series and not on a healthy group', () => {
    const r = promtool(['test', 'rules', 'mqctl-lag.rules.test.yaml']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS/);
  });

  test("mqctl-burrow-status.rules.yaml: promtool checks it, and its test maps every status to burrow_exporter's value", () => {
    const check = promtool(['check', 'rules', 'mqctl-burrow-status.rules.yaml']);
    assert.equal(check.code, 0, check.out);
    assert.match(check.out, /SUCCESS: 1 rules found/);
    const r = promtool(['test', 'rules', 'mqctl-burrow-status.rules.test.yaml']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS/);
  });

  test('the PromQL parse check rejects a broken expression (it is not vacuous)', () => {
    const r = checkExpressions({ broken: 'sum(mqctl_consumergroup_lag' });
    assert.notEqual(r.code, 0, r.out);
  });

  test('every dashboard query parses as PromQL', () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy', 'grafana', 'mqctl-lag.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ refId: string; expr: string }> }>;
      templating: { list: Array<{ name: string; type: string; query: string | { query: string } }> };
    };
    const exprs: Record<string, string> = {};
    for (const p of dashboard.panels)
      for (const t of p.targets) exprs[`${p.title} ${t.refId}`] = grafanaToPromql(t.expr);
    for (const v of dashboard.templating.list) {
      if (v.type !== 'query') continue;
      const q = typeof v.query === 'string' ? v.query : v.query.query;
      const inner = /^label_values\((.+),\s*[a-z_]+\)$/.exec(q);
      assert.ok(inner, `variable ${v.name}: ${q}`);
      exprs[`variable ${v.name}`] = grafanaToPromql(inner[1]);
    }
    assert.ok(Object.keys(exprs).length >= 10);
    const r = checkExpressions(exprs);
    assert.equal(r.code, 0, r.out);
  });
});

describe('deploy/autoscaling examples', () => {
  // A parsed YAML document is walked by path; its shape is what the assertions check.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const load = (file: string) => parse(readFileSync(join(AUTOSCALING, file), 'utf8')) as Record<string, any>;

  test('the KEDA trigger query and the prometheus-adapter query parse as PromQL and read mqctl lag', () => {
    const keda = load('keda-scaledobject.yaml');
    assert.equal(keda.apiVersion, 'keda.sh/v1alpha1');
    assert.equal(keda.kind, 'ScaledObject');
    const trigger = keda.spec.triggers[0];
    assert.equal(trigger.type, 'prometheus');
    assert.match(trigger.metadata.query, /mqctl:consumergroup_lag:sum\{/);
    assert.ok(Number(trigger.metadata.threshold) > 0);
    assert.ok(keda.spec.maxReplicaCount >= keda.spec.minReplicaCount);

    const adapter = load('prometheus-adapter-rules.yaml');
    const rule = adapter.externalRules[0];
    // prometheus-adapter's templating, filled in the way it does for a selector cluster_name=prod.
    const metricsQuery = String(rule.metricsQuery)
      .replace('<<.Series>>', 'mqctl_consumergroup_sum_lag')
      .replace('<<.LabelMatchers>>', 'cluster_name="prod"');
    const r = checkExpressions({
      keda: trigger.metadata.query,
      adapterSeries: rule.seriesQuery,
      adapter: metricsQuery,
    });
    assert.equal(r.code, 0, r.out);
  });

  test('the recording rule KEDA reads is defined in mqctl-lag.rules.yaml', () => {
    const rules = parse(readFileSync(join(PROM, 'mqctl-lag.rules.yaml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ record?: string }> }>;
    };
    const records = rules.groups.flatMap((g) => g.rules.map((r) => r.record)).filter(Boolean);
    assert.ok(records.includes('mqctl:consumergroup_lag:sum'), records.join(', '));
  });

  test('hpa.yaml validates against the Kubernetes autoscaling/v2 schema and targets the adapter metric', async () => {
    const hpa = load('hpa.yaml');
    const importEsm = new Function('specifier', 'return import(specifier)') as (
      s: string,
    ) => Promise<Record<string, new (data: unknown) => { validate(): void }>>;
    const { HorizontalPodAutoscaler } = await importEsm(
      'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    );
    new HorizontalPodAutoscaler(hpa).validate();
    assert.throws(() =>
      new HorizontalPodAutoscaler({ ...hpa, spec: { ...hpa.spec, maxReplicas: 'many' } }).validate(),
    );
    const adapter = load('prometheus-adapter-rules.yaml');
    assert.equal(hpa.spec.metrics[0].external.metric.name, adapter.externalRules[0].name.as);
  });
});

describe('deploy/ and lag serve agree on metric names', () => {
  test('every mqctl_ metric the dashboard, the rules and the autoscaling examples read is one lag serve exports', async () => {
    const report = {
      kind: 'kafka' as const,
      target: 'x',
      takenAt: 0,
      samples: 1,
      rows: [],
      groups: [],
      topics: [],
    };
    const exported = new Set(
      (await lagRegistry(report, { upValue: 1 }).getMetricsAsJSON()).map((m) => m.name),
    );
    const files = [
      join(ROOT, 'deploy', 'grafana', 'mqctl-lag.json'),
      join(PROM, 'mqctl-lag.rules.yaml'),
      join(PROM, 'mqctl-burrow-status.rules.yaml'),
      join(AUTOSCALING, 'keda-scaledobject.yaml'),
      join(AUTOSCALING, 'hpa.yaml'),
      join(AUTOSCALING, 'prometheus-adapter-rules.yaml'),
    ];
    const used = new Set(files.flatMap((f) => readFileSync(f, 'utf8').match(/\bmqctl_[a-z_]+/g) ?? []));
    assert.ok(used.size >= 6, [...used].join(', '));
    for (const name of used) assert.ok(exported.has(name), `${name} is not exported by lag serve`);
  });
});
