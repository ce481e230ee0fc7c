// Round trip through Pulsar's WebSocket API (broker setting webSocketServiceEnabled=true):
//   consumer  <base>/ws/v2/consumer/persistent/public/default/<topic>/<subscription>
//   producer  <base>/ws/v2/producer/persistent/public/default/<topic>
//   reader    <base>/ws/v2/reader/persistent/public/default/<topic>?messageId=earliest
// Usage: node --experimental-websocket scripts/check/pulsar-ws-check.mjs ws://127.0.0.1:8080
// Node 20 needs --experimental-websocket for the global WebSocket (Node 22+ has it by default).
const base = process.argv[2] ?? 'ws://127.0.0.1:8080';
const topic = `mqctl-selftest-ws-${Date.now()}`;
const path = `persistent/public/default/${topic}`;
const TIMEOUT_MS = 15000;

if (typeof WebSocket !== 'function') {
  console.error('this Node has no WebSocket global: run with --experimental-websocket (Node 20) or Node 22+');
  process.exit(1);
}

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error(`timeout opening ${url}`)), TIMEOUT_MS);
    ws.addEventListener('open', () => { clearTimeout(timer); resolve(ws); });
    ws.addEventListener('error', () => { clearTimeout(timer); reject(new Error(`cannot open ${url}`)); });
  });
}

function next(ws, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${what}`)), TIMEOUT_MS);
    ws.addEventListener('message', (ev) => { clearTimeout(timer); resolve(JSON.parse(ev.data)); }, { once: true });
  });
}

const text = `hello from mqctl ${new Date().toISOString()}`;
const payload = Buffer.from(text).toString('base64');

const consumerUrl = `${base}/ws/v2/consumer/${path}/mqctl-selftest-sub?subscriptionType=Exclusive`;
const producerUrl = `${base}/ws/v2/producer/${path}`;
const readerUrl = `${base}/ws/v2/reader/${path}?messageId=earliest`;

try {
  const consumer = await open(consumerUrl);
  const producer = await open(producerUrl);
  const received = next(consumer, 'consumer message');
  const ack = next(producer, 'producer ack');
  producer.send(JSON.stringify({ payload, properties: { source: 'mqctl' }, key: 'k1', context: 'c1' }));
  const sent = await ack;
  if (sent.result !== 'ok') throw new Error(`producer answered ${JSON.stringify(sent)}`);
  console.log(`ws producer ${producerUrl}: result=${sent.result} messageId=${sent.messageId}`);
  const msg = await received;
  const got = Buffer.from(msg.payload, 'base64').toString();
  if (got !== text) throw new Error(`consumer got ${JSON.stringify(got)}`);
  consumer.send(JSON.stringify({ messageId: msg.messageId }));
  console.log(`ws consumer ${consumerUrl}: payload ok, key=${msg.key}, properties=${JSON.stringify(msg.properties)}, acked`);
  const reader = await open(readerUrl);
  const first = await next(reader, 'reader message');
  if (Buffer.from(first.payload, 'base64').toString() !== text) throw new Error('reader got another message');
  console.log(`ws reader ${readerUrl}: payload ok`);
  for (const ws of [consumer, producer, reader]) ws.close();
  // Leave no test topic behind (the broker keeps inactive topics: brokerDeleteInactiveTopicsEnabled=false).
  const httpBase = base.replace(/^ws/, 'http');
  await new Promise((r) => setTimeout(r, 300));
  const del = await fetch(`${httpBase}/admin/v2/${path}?force=true`, { method: 'DELETE', signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!del.ok) console.error(`note: deleting ${path} returned HTTP ${del.status}`);
  console.log('websocket: ok');
  process.exit(0);
} catch (err) {
  console.error(`websocket check failed: ${err.message}`);
  process.exit(1);
}
