import { before, describe, it } from 'node:test';
import { requireRabbit, uniqueName } from '../../helpers/brokers';
import { produceAtRateThenConsume, produceThenConsumeWithThreads } from '../perf-common';

describe('perf on rabbitmq', () => {
  before(() => requireRabbit());

  it('produces 50,000 records at 5,000 msg/s within ±2 % and consumes exactly those back', async () => {
    await produceAtRateThenConsume('rabbitmq', uniqueName('mqctl-perf'));
  });

  it('perf consume --threads 2 --num-records 20000 receives exactly 20,000 records, 2 consumers on the queue', async () => {
    await produceThenConsumeWithThreads('rabbitmq', uniqueName('mqctl-perf-threads'));
  });
});
