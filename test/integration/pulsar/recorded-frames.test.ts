import { after, before, describe, it } from 'node:test';
import { requirePulsar, uniqueName } from '../../helpers/brokers';
import { checkRecordedFrames, recordFrames } from '../../helpers/pulsar-frames';

/**
 * The same conversation as the recorded fixture, against the running broker: a Pulsar upgrade that changes a
 * frame mqctl decodes fails here, and `node dist/test/helpers/pulsar-frames.js --write` records the new one.
 */
describe('Pulsar binary codec against the frames the running broker sends now', () => {
  const topic = `persistent://public/default/${uniqueName('frames')}`;

  before(async () => {
    await requirePulsar();
  });

  after(async () => {
    await fetch(`http://127.0.0.1:8080/admin/v2/${topic.replace('://', '/')}?force=true`, {
      method: 'DELETE',
    });
  });

  it('records the conversation and decodes every frame as the protocol says', async () => {
    checkRecordedFrames(await recordFrames(topic));
  });
});
