import { before, describe, it } from 'node:test';
import { requireKafka, uniqueName } from '../../helpers/brokers';
import { produceAtRateThenConsume, produceThenConsumeWithThreads } from '../perf-common';

describe('perf on kafka', () => {
  before(() => requireKafka());

  it('produces 50,000 records at 5,000 msg/s within ±2 % and consumes exactly those back', async () => {
    await produceAtRateThenConsume('kafka', uniqueName('mqctl-perf'));
  });

  it('perf consume --threads 2 --num-records 20000 receives exactly 20,000 records on 4 partitions', async () => {
    await produceThenConsumeWithThreads('kafka', uniqueName('mqctl-perf-threads'));
  });
});
