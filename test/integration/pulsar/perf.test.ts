import { after, before, describe, it } from 'node:test';
import { requirePulsar, uniqueName } from '../../helpers/brokers';
import { produceAtRateThenConsume, produceThenConsumeWithThreads } from '../perf-common';
import { deleteCreated } from '../../helpers/cleanup';

describe('perf on pulsar', () => {
  const created: string[] = [];
  const made = (prefix: string): string => {
    const name = uniqueName(prefix);
    created.push(name);
    return name;
  };
  before(() => requirePulsar());
  // The topics of this file and what runs derive from them (a rate attempt's `-retry<n>`).
  after(() => deleteCreated('pulsar', created, { prefixes: true }));

  it('produces 50,000 records at 5,000 msg/s within ±2 % and consumes exactly those back', async () => {
    await produceAtRateThenConsume('pulsar', made('mqctl-perf'));
  });

  it('perf consume --threads 2 --num-records 20000 receives exactly 20,000 records through a Shared subscription', async () => {
    await produceThenConsumeWithThreads('pulsar', made('mqctl-perf-threads'));
  });
});
