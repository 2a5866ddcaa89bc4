// Sends POST /log records to a running stack, one prediction per request from a few
// concurrent senders, and writes the id of every record the server acknowledged (200) to
// a file as soon as it is, so that a check can later find each one in the database.
// Runs until SIGTERM or SIGINT, then prints what happened as one JSON line.
//   node tests/deploy/send-records.mjs URL ACKED_FILE [senders] [requests_per_second]
import { randomUUID } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';

const [url, ackedFile, senders = '2', rate = '20'] = process.argv.slice(2);
if (!url || !ackedFile) {
  console.error('usage: send-records.mjs URL ACKED_FILE [senders] [requests_per_second]');
  process.exit(2);
}
writeFileSync(ackedFile, '');

const image = Buffer.alloc(784);
for (let i = 0; i < 784; i++) image[i] = (i * 37) % 256;
const imageBase64 = image.toString('base64');

function prediction() {
  const digit = Math.floor(Math.random() * 10);
  const probabilities = Array(10).fill(0.01);
  probabilities[digit] = 0.91;
  return {
    type: 'prediction', id: randomUUID(), client_id: randomUUID(), created_at: new Date().toISOString(),
    predicted_digit: digit, confidence: 0.91, probabilities, image: imageBase64, engine: 'native',
    model_version: 'deploy-check', latency_ms: 1,
  };
}

const counts = { sent: 0, acknowledged: 0, unavailable: 0, other: 0, failed: 0 };
let running = true;
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { running = false; });

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const interval = (1000 * Number(senders)) / Number(rate);

async function sender() {
  while (running) {
    const record = prediction();
    const started = Date.now();
    counts.sent++;
    try {
      const response = await fetch(url, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(record),
        signal: AbortSignal.timeout(10000),
      });
      await response.arrayBuffer();
      if (response.status === 200) {
        appendFileSync(ackedFile, `${record.id}\n`);
        counts.acknowledged++;
      } else if (response.status === 503) {
        counts.unavailable++;
      } else {
        counts.other++;
        console.error(`send-records: ${response.status} ${response.statusText}`);
      }
    } catch (error) {
      // Refused, cut or timed out: nothing was acknowledged.
      counts.failed++;
      console.error(`send-records: ${error.message}${error.cause ? ` (${error.cause.code ?? error.cause.message})` : ''}`);
    }
    await pause(Math.max(0, interval - (Date.now() - started)));
  }
}

await Promise.all(Array.from({ length: Number(senders) }, sender));
console.log(JSON.stringify(counts));
