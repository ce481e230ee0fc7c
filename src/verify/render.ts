import type { AnomalyExample } from './ledger';
import type { VerifyResult } from './run';

/** The human summary of a verify run (stdout, table output). Every number comes from the result. */
export function renderVerifySummary(r: VerifyResult): string {
  const lines: string[] = [];
  lines.push(
    `verify ${r.run}: ${r.broker.kind} ${r.broker.target}, ${r.topic}, ${r.durationSeconds.toFixed(1)} s${r.interrupted ? ' (interrupted)' : ''}`,
  );
  lines.push(
    `settings: ${Object.entries(r.settings)
      .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
      .join(', ')}`,
  );
  const row = (name: string, value: number, note = '') =>
    lines.push(`  ${name.padEnd(14)} ${String(value).padStart(10)}${note ? `  ${note}` : ''}`);
  row('sent', r.sent);
  row('acknowledged', r.acknowledged);
  row('refused', r.refused, r.refusedDelivered ? `${r.refusedDelivered} of them delivered anyway` : '');
  row('received', r.received, `distinct records (${r.deliveries} deliveries)`);
  row('lost', r.lost, 'acknowledged, never received');
  row(
    'unconfirmed',
    r.unconfirmed,
    `never acknowledged: ${r.unconfirmedDelivered} delivered, ${r.unconfirmedNotDelivered} not`,
  );
  row(
    'duplicated',
    r.duplicated,
    `${r.duplicateDeliveries} extra deliveries; ${r.duplicatedAckedOnce} acknowledged once${r.duplicatedStoredTwice ? `; ${r.duplicatedStoredTwice} stored twice` : ''}${r.duplicatedRedelivered ? `; ${r.duplicatedRedelivered} redelivered from the same offset` : ''}`,
  );
  row('reordered', r.reordered, 'out of sequence within one producer');
  if (r.foreign) row('foreign', r.foreign, 'records of other runs or tools on the topic, ignored');
  if (r.outages.length === 0) lines.push('outages: none');
  for (const w of r.outages)
    lines.push(
      `outage: no ${w.kind === 'acks' ? 'acknowledgements' : 'deliveries'} from ${w.from.toFixed(1)}s to ${w.to.toFixed(1)}s (${w.seconds.toFixed(1)} s)`,
    );
  for (const e of r.timeline)
    lines.push(`timeline ${e.at.toFixed(1).padStart(6)}s ${e.event}${e.detail ? `: ${e.detail}` : ''}`);
  for (const f of r.faults)
    lines.push(
      `fault "${f.command}" ${f.at.toFixed(1)}s-${f.ended.toFixed(1)}s ${f.signal ? `signal ${f.signal}` : `exit ${f.exitCode}`}${f.output ? `: ${f.output.split('\n').slice(-2).join(' | ')}` : ''}`,
    );
  const examples = (name: string, list: AnomalyExample[]) => {
    for (const e of list)
      lines.push(
        `example ${name}: producer ${e.producer} seq ${e.seq}${e.positions ? ` at ${e.positions.join(', ')}` : ''}${e.detail ? ` (${e.detail})` : ''}`,
      );
  };
  examples('lost', r.examples.lost);
  examples('unconfirmed', r.examples.unconfirmed);
  examples('refused', r.examples.refused);
  examples('duplicated', r.examples.duplicated);
  examples('reordered', r.examples.reordered);
  return lines.join('\n');
}
