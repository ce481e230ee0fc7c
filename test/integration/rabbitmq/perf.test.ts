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
  // The topics of this file and what runs derive from them (the RabbitMQ rate check's `-observer` queue).
  after(() => deleteCreated('rabbitmq', created, { prefixes: true }));

  it('produces 50,000 records at 5,000 msg/s: ±2 % over 10 s and ±5 % per 2 s as an outside observer times them, then consumes exactly those back', async () => {
    await produceAtRateThenConsume('rabbitmq', made('mqctl-perf'));
  });

  it('perf consume --threads 2 until idle receives exactly the 20,000 produced, 2 consumers on the queue', async () => {
    await produceThenConsumeWithThreads('rabbitmq', made('mqctl-perf-threads'));
  });
});
