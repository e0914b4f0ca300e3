/**
 * AnomalyDetector in a real DetectionEngine (issue 4): the model raises an advisory 'anomaly'
 * alarm on a methane step, and when it later calls the new level normal, the threshold alarm
 * it cannot touch stays standing. The hot path only queues readings.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { waitFor } from '../../../testkit/index.js';
import { seededRandom } from '../../src/ml/autoencoder.js';
import { type AnomalyDetector, createAnomalyDetector } from '../../src/ml/detector.js';
import { ch4, engine, reading, T0 } from '../detection/fixtures.js';

const log = pino({ level: 'silent' });
const HOUR = 3_600_000;

for (const thread of [false, true]) {
  describe(`AnomalyDetector with the DetectionEngine, scoring ${thread ? 'in its worker thread' : 'inline'}`, () => {
    let anomaly: AnomalyDetector;
    before(async () => {
      // A flush period of an hour: the test drives flush() itself, deterministically.
      anomaly = createAnomalyDetector({ log, flushMs: HOUR, thread });
      await anomaly.start();
      assert.equal(anomaly.mode, thread ? 'worker' : 'inline');
    });
    after(() => anomaly.stop());

    it('raises an advisory anomaly on a CH4 step; its "normal" verdict leaves gas-low standing', async () => {
      const e = engine({ detectors: [anomaly] });
      const ctx = ch4();
      const rnd = seededRandom(3);
      const seen: string[] = [];
      let t = 0;
      const feed = async (n: number, level: number) => {
        for (let i = 0; i < n; i++, t += 2000) {
          const v = level + (rnd() - 0.5) * 0.4;
          const out = e.onReading(reading(ctx, T0 + t, v), ctx, T0 + t);
          // The hot path never yields an ML verdict: it only queues.
          assert.ok(out.every((tr) => !tr.alarm.advisory));
          seen.push(...out.map((tr) => `${tr.alarm.type}:${tr.action}`));
          if (i % 25 === 24) {
            await anomaly.flush();
            for (const tr of e.tick(T0 + t))
              seen.push(`${tr.alarm.type}${tr.alarm.advisory ? '(ml)' : ''}:${tr.action}`);
          }
        }
      };
      await feed(600, 2); // 20 minutes of clean air around 2 %LEL
      assert.deepEqual(
        e.active().map((a) => a.type),
        [],
      );
      await feed(100, 15); // a step to 15 %LEL: above gas-low (10), below gas-high (25)
      assert.ok(seen.includes('anomaly(ml):raise'), seen.join(' '));
      assert.ok(
        seen.some((s) => s.startsWith('gas-low') && s.endsWith(':raise')),
        seen.join(' '),
      );
      // The model has learned the new level and cleared its advisory alarm...
      assert.ok(seen.includes('anomaly(ml):clear'), seen.join(' '));
      const byType = new Map(e.active().map((a) => [a.type, a]));
      assert.equal(byType.get('anomaly')?.state, 'rtn-unack');
      assert.equal(byType.get('anomaly')?.advisory, true);
      // ...while the threshold alarm is still active: an ML "normal" never clears it.
      assert.equal(byType.get('gas-low')?.state, 'unack');
      assert.notEqual(byType.get('gas-low')?.advisory, true);
      assert.equal(anomaly.stats.scored, 700);
      assert.equal(anomaly.stats.dropped, 0);
      assert.equal(anomaly.backlog, 0);
    });
  });
}

describe('AnomalyDetector worker thread', () => {
  it('scores off the main thread at a lower priority, and comes back after the thread dies', async () => {
    const d = createAnomalyDetector({ log, flushMs: 20, tensorflow: false });
    await d.start();
    try {
      assert.equal(d.mode, 'worker');
      const worker = d.workerThread;
      assert.ok(worker);
      // Linux: the worker thread lowered its own nice value; the main thread kept the process's.
      const nices = readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
      assert.ok(nices.includes(10), `thread nice values: ${nices.join(',')}`);
      assert.equal(nices[0], 0);
      const ctx = ch4();
      for (let i = 0; i < 300; i++) d.onReading(reading(ctx, T0 + i * 1000, 2 + (i % 3) * 0.1), ctx);
      // The timer posts on its own; the scores come back without any call from the test.
      await waitFor(() => d.stats.scored === 300, 10_000, 10);
      await worker.terminate();
      await waitFor(() => d.stats.workerRestarts === 1 && d.workerThread !== undefined, 10_000, 20);
      for (let i = 300; i < 400; i++) d.onReading(reading(ctx, T0 + i * 1000, 2), ctx);
      assert.equal(await d.flush(), 100);
      assert.equal(d.stats.scored, 400);
    } finally {
      d.stop();
    }
  });
});

describe('AnomalyDetector sampling', () => {
  it('samples every n-th reading, skips boolean sensors and bounds its queue', async () => {
    const small = createAnomalyDetector({
      log,
      sampleEvery: 2,
      maxQueue: 100,
      flushMs: HOUR,
      tensorflow: false,
      thread: false,
    });
    await small.start();
    const ctx = ch4();
    for (let i = 0; i < 400; i++) small.onReading(reading(ctx, T0 + i * 1000, 1), ctx);
    const flame = { ...ctx, sensorId: 'suwon-flame-1', metric: 'flame', unit: 'bool' };
    small.onReading(reading(flame, T0, 1), flame);
    assert.deepEqual(small.stats, { sampled: 200, scored: 0, dropped: 100, conditions: 0, workerRestarts: 0 });
    assert.equal(small.process(), 100);
    small.stop();
    assert.equal(small.backend, 'none');
  });
});
