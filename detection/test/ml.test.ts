/** ML plug point: an advisory result may raise 'anomaly' but never suppresses a threshold alarm. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlDetector } from '../src/detectors/ml.js';
import type { Condition, DetectionReading, Detector, SensorContext } from '../src/types.js';
import { ch4, engine, reading, standing, summary, T0 } from './fixtures.js';

/** A scorer that calls everything above 3 %LEL anomalous (a stand-in model with a known answer). */
const scorer = { name: 'toy', score: (r: DetectionReading) => (r.value > 3 ? 1 : 0) };

/** A broken model that insists every threshold condition of the sensor is normal, every reading. */
class DenyingDetector implements Detector {
  readonly name = 'denier';
  readonly advisory = true as const;
  onReading(r: DetectionReading, ctx: SensorContext): Condition[] {
    return ctx.rules.map((rule) => ({
      sourceId: ctx.sensorId,
      sourceKind: 'sensor' as const,
      siteId: ctx.siteId,
      type: rule.type,
      priority: 1 as const,
      active: false,
      message: 'model says all clear',
      sensorTs: r.ts,
    }));
  }
}

describe('MlDetector and advisory conditions', () => {
  it('raises an advisory anomaly alarm (priority 4) and clears it', () => {
    const e = engine({ detectors: [new MlDetector(scorer, { threshold: 0.5 })] });
    const ctx = ch4();
    const up = e.onReading(reading(ctx, T0, 5), ctx, T0);
    assert.deepEqual(summary(up), ['anomaly:raise:unack']);
    assert.deepEqual([up[0].alarm.advisory, up[0].alarm.priority], [true, 4]);
    assert.deepEqual(summary(e.onReading(reading(ctx, T0 + 2000, 1), ctx, T0 + 2000)), ['anomaly:clear:rtn-unack']);
  });

  it('a model saying "normal" neither prevents nor clears gas-high, and cannot acknowledge it', () => {
    const e = engine({ detectors: [new DenyingDetector()] });
    const ctx = ch4();
    const out = [];
    for (let t = 0; t <= 4000; t += 1000) {
      out.push(...e.onReading(reading(ctx, T0 + t, 40), ctx, T0 + t));
      out.push(...e.tick(T0 + t));
    }
    assert.deepEqual(
      summary(out).filter((s) => s.startsWith('gas-')),
      ['gas-high:raise:unack', 'gas-low:raise:unack'],
    );
    assert.deepEqual(
      standing(e).filter((s) => s.startsWith('gas-')),
      ['gas-high=unack', 'gas-low=unack'],
    );
  });

  it('advise(): an async model naming gas-high only gets an advisory alarm of its own', () => {
    const e = engine();
    const ctx = ch4();
    for (let t = 0; t <= 2000; t += 1000) {
      e.onReading(reading(ctx, T0 + t, 40), ctx, T0 + t);
      e.tick(T0 + t);
    }
    const base = {
      sourceId: ctx.sensorId,
      sourceKind: 'sensor' as const,
      siteId: 'suwon',
      type: 'gas-high',
      priority: 1 as const,
      message: 'model',
    };
    assert.deepEqual(e.advise([{ ...base, active: false }], T0 + 2500), []);
    const adv = e.advise([{ ...base, active: true }], T0 + 2600);
    assert.deepEqual(summary(adv), ['gas-high:raise:unack']);
    assert.equal(adv[0].alarm.advisory, true);
    e.advise([{ ...base, active: false }], T0 + 2700);
    const gasHigh = e.active().filter((a) => a.type === 'gas-high');
    assert.deepEqual(gasHigh.map((a) => [a.advisory === true, a.state]).sort(), [
      [false, 'unack'],
      [true, 'rtn-unack'],
    ]);
  });
});
