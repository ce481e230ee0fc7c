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
  // The topics of this file and what runs derive from them (the RabbitMQ rate check's `-observer` queue).
  after(() => deleteCreated('pulsar', created, { prefixes: true }));

  it('produces 50,000 records at 5,000 msg/s: ±2 % over 10 s and ±5 % per 2 s as an outside observer times them, then consumes exactly those back', async () => {
    await produceAtRateThenConsume('pulsar', made('mqctl-perf'));
  });

  it('perf consume --threads 2 until idle receives exactly the 20,000 produced through a Shared subscription', async () => {
    await produceThenConsumeWithThreads('pulsar', made('mqctl-perf-threads'));
  });
});
