import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadGatesFile } from '../../src/gates/options';
import PerfMergeCommand from '../../commands/perf/merge';
import { tempDir } from '../helpers/tmp';

/**
 * deploy/k8s is checked without a cluster: every object is validated against the Kubernetes OpenAPI schemas
 * (kubernetes-models, generated from the upstream OpenAPI spec, validated with ajv), and the wiring that a
 * schema cannot see (Indexed completions = shards, the shard argument, volumes, the gates file) is asserted.
 */
const K8S = resolve(__dirname, '..', '..', '..', 'deploy', 'k8s');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

function manifests(): Map<string, K8sObject> {
  const objects = new Map<string, K8sObject>();
  for (const file of readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(join(K8S, file), 'utf8'))) {
      assert.deepEqual(doc.errors, [], `${file}: YAML errors`);
      const obj = doc.toJS() as K8sObject;
      objects.set(`${obj.kind}/${obj.metadata.name}`, obj);
    }
  }
  return objects;
}

type Model = new (data: unknown) => { validate(): void };

// kubernetes-models is ESM-only; load it with a real dynamic import from this CommonJS test.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  s: string,
) => Promise<Record<string, Model>>;

async function modelFor(obj: K8sObject): Promise<Model> {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const path = group
    ? `kubernetes-models/${group}/${version}/${obj.kind}`
    : `kubernetes-models/${version}/${obj.kind}`;
  const mod = await importEsm(path);
  const model = mod[obj.kind];
  assert.ok(model, `no model for ${obj.apiVersion} ${obj.kind}`);
  return model;
}

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes: Array<{
    name: string;
    persistentVolumeClaim?: { claimName: string };
    configMap?: { name: string };
  }>;
  restartPolicy: string;
}
const podSpec = (job: K8sObject) => (job.spec!.template as { spec: PodSpec }).spec;

describe('deploy/k8s manifests', () => {
  const objects = manifests();

  it('are valid Kubernetes objects (OpenAPI schema validation)', async () => {
    assert.deepEqual([...objects.keys()].sort(), [
      'ConfigMap/mqctl-perf',
      'Job/mqctl-perf-merge',
      'Job/mqctl-perf-producers',
      'PersistentVolumeClaim/mqctl-perf-results',
    ]);
    for (const [key, obj] of objects) {
      const Model = await modelFor(obj);
      assert.doesNotThrow(() => new Model(obj).validate(), `${key} fails schema validation`);
    }
  });

  it('the schema check catches a broken manifest', async () => {
    const job = structuredClone(objects.get('Job/mqctl-perf-producers')!);
    (job.spec as Record<string, unknown>).completions = 'four';
    const Model = await modelFor(job);
    assert.throws(() => new Model(job).validate(), /completions/);
    const bad = structuredClone(job);
    (bad.spec as Record<string, unknown>).completions = 4;
    (bad.spec as Record<string, unknown>).completionMode = 'Sharded';
    assert.throws(() => new Model(bad).validate(), /completionMode/);
  });

  it('run one indexed producer per shard, each a share of the total rate, writing to the shared volume', () => {
    const config = objects.get('ConfigMap/mqctl-perf')!.data!;
    const job = objects.get('Job/mqctl-perf-producers')!;
    const shards = Number(config.SHARDS);
    assert.equal(job.spec!.completionMode, 'Indexed');
    assert.equal(job.spec!.completions, shards);
    assert.equal(job.spec!.parallelism, shards, 'all shards must run at the same time');
    const spec = podSpec(job);
    assert.equal(spec.restartPolicy, 'Never');
    const container = spec.containers[0]!;
    const index = container.env!.find((e) => e.name === 'SHARD_INDEX')!;
    assert.equal(
      index.valueFrom?.fieldRef?.fieldPath,
      "metadata.annotations['batch.kubernetes.io/job-completion-index']",
    );
    const script = container.args!.join(' ');
    assert.match(script, /mqctl perf produce/);
    assert.match(script, /--rate "\$TOTAL_RATE" --shard "\$SHARD_INDEX\/\$SHARDS"/);
    assert.match(script, /--result "\$part"/);
    assert.match(script, /shard-\$SHARD_INDEX\.json"/);
    const mount = container.volumeMounts!.find((m) => m.mountPath === '/results')!;
    const volume = spec.volumes.find((v) => v.name === mount.name)!;
    assert.equal(volume.persistentVolumeClaim?.claimName, 'mqctl-perf-results');
    const pvc = objects.get('PersistentVolumeClaim/mqctl-perf-results')!;
    assert.deepEqual(pvc.spec!.accessModes, ['ReadWriteMany']);
  });

  it('merge and gate the shards with flags perf merge really has, and a gates file that parses', async () => {
    const job = objects.get('Job/mqctl-perf-merge')!;
    const spec = podSpec(job);
    assert.equal(spec.initContainers?.[0]?.name, 'wait-for-shards');
    const script = spec.containers[0]!.args!.join(' ');
    assert.match(script, /mqctl perf merge \/results\/\$RUN_ID\/shard-\*\.json/);
    const flags = [...script.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!);
    assert.ok(flags.length >= 4);
    for (const flag of flags) {
      assert.ok(
        flag in PerfMergeCommand.flags || flag in PerfMergeCommand.baseFlags,
        `perf merge has no --${flag}`,
      );
    }
    for (const v of spec.volumes) {
      if (v.persistentVolumeClaim) assert.equal(v.persistentVolumeClaim.claimName, 'mqctl-perf-results');
      if (v.configMap) assert.equal(v.configMap.name, 'mqctl-perf');
    }
    const dir = tempDir('mqctl-k8s-');
    writeFileSync(join(dir, 'gates.yaml'), objects.get('ConfigMap/mqctl-perf')!.data!['gates.yaml']!);
    const gates = await loadGatesFile(join(dir, 'gates.yaml'));
    assert.ok(gates.gates.length >= 3);
  });

  it('kustomization lists every manifest', () => {
    const kustomization = parseAllDocuments(
      readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'),
    )[0]!.toJS() as {
      resources: string[];
    };
    const files = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    assert.deepEqual([...kustomization.resources].sort(), files.sort());
  });
});
