import { before, describe, it } from 'node:test';
import { requireKafka, uniqueName } from '../../helpers/brokers';
import { produceAtRateThenConsume } from '../perf-common';

describe('perf on kafka', () => {
  before(() => requireKafka());

  it('produces 50,000 records at 5,000 msg/s within ±2 % and consumes exactly those back', async () => {
    await produceAtRateThenConsume('kafka', uniqueName('mqctl-perf'));
  });
});
