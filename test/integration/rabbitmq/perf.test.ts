import { after, before, describe, it } from 'node:test';
import { requireRabbit, uniqueName } from '../../helpers/brokers';
import { produceAtRateThenConsume, produceThenConsumeWithThreads } from '../perf-common';
import { deleteCreated } from '../../helpers/cleanup';

describe('perf on rabbitmq', () => {
  const created: string[] = [];
  const made = (prefix: string): string => {
    const name = uniqueName(prefix);
    created.push(name);
    return name;
  };
  before(() => requireRabbit());
  // The topics of this file and what runs derive from them (a rate attempt's `-retry<n>`).
  after(() => deleteCreated('rabbitmq', created, { prefixes: true }));

  it('produces 50,000 records at 5,000 msg/s within ±2 % and consumes exactly those back', async () => {
    await produceAtRateThenConsume('rabbitmq', made('mqctl-perf'));
  });

  it('perf consume --threads 2 --num-records 20000 receives exactly 20,000 records, 2 consumers on the queue', async () => {
    await produceThenConsumeWithThreads('rabbitmq', made('mqctl-perf-threads'));
  });
});
