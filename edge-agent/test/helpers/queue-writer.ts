/**
 * Child process for the queue crash test: appends `{"n":i}` records forever from `start`,
 * printing each index after append returns (i.e. once it counts as accepted). Killed with -9.
 */
import pino from 'pino';
import { StoreAndForwardQueue } from '../../src/queue/queue.js';

const [dir, startArg, maxBytesArg] = process.argv.slice(2);
const q = new StoreAndForwardQueue({
  dir,
  maxBytes: Number(maxBytesArg ?? 64 * 1024 * 1024),
  segmentBytes: 16 * 1024,
  fsyncMs: 50,
  log: pino({ level: 'silent' }),
});
q.open();
let n = Number(startArg);
const pad = 'x'.repeat(100);
for (;;) {
  // Varying sizes so a kill lands at every kind of offset within a frame.
  q.append(Buffer.from(JSON.stringify({ n, pad: pad.slice(0, n % 100) })));
  if (n % 50 === 0) process.stdout.write(`${n}\n`);
  n += 1;
  if (n % 500 === 0) await new Promise((r) => setImmediate(r));
}
