import { before, describe, it } from 'node:test';
import { requirePulsar, uniqueName } from '../../helpers/brokers';
import { produceAtRateThenConsume, produceThenConsumeWithThreads } from '../perf-common';

describe('perf on pulsar', () => {
  before(() => requirePulsar());

  it('produces 50,000 records at 5,000 msg/s within ±2 % and consumes exactly those back', async () => {
    await produceAtRateThenConsume('pulsar', uniqueName('mqctl-perf'));
  });

  it('perf consume --threads 2 --num-records 20000 receives exactly 20,000 records through a Shared subscription', async () => {
    await produceThenConsumeWithThreads('pulsar', uniqueName('mqctl-perf-threads'));
  });
});
