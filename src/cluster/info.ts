import type { BrokerConnection, ClusterInfo } from '../brokers/types';
import {
  renderCsv,
  renderJson,
  renderKeyValues,
  renderSections,
  renderTable,
  renderYaml,
  col,
  type OutputFormat,
  type RenderStyle,
} from '../core/output';

export async function getClusterInfo(connection: BrokerConnection): Promise<ClusterInfo> {
  return connection.clusterInfo();
}

/** Human layout: a summary block, then the nodes table. */
export function renderClusterInfo(info: ClusterInfo, style: RenderStyle): string {
  const summary: Array<[string, unknown]> = [
    ['kind', info.kind],
    ['context', info.context],
    ['version', info.version ?? 'unknown'],
    ['cluster', info.clusterId ?? info.clusterName],
  ];
  if (info.kind !== 'rabbitmq')
    summary.push([info.kind === 'kafka' ? 'controller' : 'leader', info.controller]);
  summary.push(['data path', info.dataPath]);
  for (const [name, url] of Object.entries(info.endpoints)) summary.push([`${name} endpoint`, url]);
  for (const [name, value] of Object.entries(info.details)) summary.push([name, value]);
  const nodes = renderTable(
    info.nodes,
    [col('ID', 'id'), col('ADDRESS', 'address'), col('ROLE', 'role'), col('STATE', 'state')],
    style,
  );
  return renderSections(
    [
      { title: 'cluster', body: renderKeyValues(summary, style) },
      { title: `nodes (${info.nodes.length})`, body: nodes },
    ],
    style,
  );
}

/** `cluster info` in the requested output format; CSV has one row per node, with the cluster's kind and version. */
export function renderClusterInfoAs(info: ClusterInfo, format: OutputFormat, style: RenderStyle): string {
  switch (format) {
    case 'json':
      return renderJson(info);
    case 'yaml':
      return renderYaml(info);
    case 'csv':
      return renderCsv(
        info.nodes.map((n) => ({ ...n, kind: info.kind, version: info.version })),
        [
          col('kind', 'kind'),
          col('id', 'id'),
          col('address', 'address'),
          col('role', 'role'),
          col('version', 'version'),
        ],
      );
    case 'table':
      return renderClusterInfo(info, style);
  }
}
