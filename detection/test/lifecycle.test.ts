/** ISA-18.2 lifecycle through the engine: ack in every state, latch + reset, shelving, out-of-service. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DetectionEngine } from '../src/engine.js';
import { AlarmActionError, type SensorContext } from '../src/types.js';
import { ch4, engine, flame, reading, standing, summary, T0 } from './fixtures.js';

/** CH4 with no delays so a single reading raises or clears gas-low. */
const fast = () =>
  ch4([
    { type: 'gas-low', onDelayMs: 0, offDelayMs: 0 },
    { type: 'gas-high', enabled: false },
    { type: 'rate-of-rise', enabled: false },
  ]);

class Bench {
  e: DetectionEngine = engine({ maxShelveMinutes: 60 });
  // A day-long reporting interval keeps stale alarms out of these long shelving ticks.
  gas: SensorContext = { ...fast(), intervalMs: 86_400_000 };
  fire: SensorContext = { ...flame(), intervalMs: 86_400_000 };
  t = T0;
  send(ctx: SensorContext, v: number) {
    this.t += 1000;
    return this.e.onReading(reading(ctx, this.t, v), ctx, this.t);
  }
  do(id: string, action: string, args = {}) {
    this.t += 1000;
    return this.e.act(id, action, 'kim', this.t, args);
  }
  /** Puts the gas-low (or flame for 'latched') alarm in the named state; returns its id. */
  into(state: string): string {
    if (state.startsWith('latched')) {
      const id = this.send(this.fire, 1)[0].alarm.id;
      this.send(this.fire, 0);
      if (state === 'latched-acked') this.do(id, 'ack');
      return id;
    }
    const id = this.send(this.gas, 12)[0].alarm.id;
    if (state === 'acked' || state === 'normal') this.do(id, 'ack');
    if (state === 'rtn-unack' || state === 'normal') this.send(this.gas, 0);
    if (state === 'shelved') this.do(id, 'shelve', { minutes: 10, reason: 'calibration' });
    if (state === 'out-of-service') this.do(id, 'out-of-service', { reason: 'detector replaced' });
    return id;
  }
}

function outcome(fn: () => unknown): string {
  try {
    const ts = fn() as { toState: string }[];
    return ts.map((t) => t.toState).join(',');
  } catch (err) {
    if (err instanceof AlarmActionError) return `error:${err.code}`;
    throw err;
  }
}

describe('AlarmStateMachine: ack in every state', () => {
  const table: [string, string][] = [
    ['unack', 'acked'],
    ['acked', 'error:invalid-state'],
    ['rtn-unack', 'normal'],
    ['latched', 'latched'],
    ['latched-acked', 'error:invalid-state'],
    ['shelved', 'error:invalid-state'],
    ['out-of-service', 'error:invalid-state'],
    ['normal', 'error:not-found'],
  ];
  for (const [state, want] of table) {
    it(`ack in ${state} -> ${want}`, () => {
      const b = new Bench();
      const id = b.into(state);
      assert.equal(
        outcome(() => b.do(id, 'ack', { comment: 'seen' })),
        want,
      );
    });
  }

  it('journals who acknowledged, when and why', () => {
    const b = new Bench();
    const id = b.into('unack');
    const [t] = b.do(id, 'ack', { comment: 'crew sent' });
    assert.deepEqual(
      [t.fromState, t.toState, t.action, t.actor, t.comment, t.alarm.ackedBy, t.alarm.ackedAt],
      ['unack', 'acked', 'ack', 'kim', 'crew sent', 'kim', b.t],
    );
  });
});

describe('clear and re-alarm', () => {
  it('acked + clear closes a non-latched alarm; the next excursion is a new alarm', () => {
    const b = new Bench();
    const id = b.into('acked');
    assert.deepEqual(summary(b.send(b.gas, 0)), ['gas-low:clear:normal']);
    assert.deepEqual(standing(b.e), []);
    const again = b.send(b.gas, 12);
    assert.notEqual(again[0].alarm.id, id);
  });

  it('rtn-unack + condition again returns the same alarm to unack (re-alarm)', () => {
    const b = new Bench();
    const id = b.into('rtn-unack');
    const ts = b.send(b.gas, 12);
    assert.deepEqual(summary(ts), ['gas-low:re-alarm:unack']);
    assert.equal(ts[0].alarm.id, id);
    assert.equal(ts[0].alarm.clearedAt, undefined);
  });
});

describe('latched alarms and reset', () => {
  it('a latched flame holds until reset, and reset implies acknowledgement', () => {
    const b = new Bench();
    const id = b.into('latched');
    assert.deepEqual(standing(b.e), ['flame=latched']);
    const [t] = b.do(id, 'reset', { comment: 'fire brigade confirmed out' });
    assert.deepEqual([t.fromState, t.toState, t.alarm.ackedBy], ['latched', 'normal', 'kim']);
    assert.deepEqual(standing(b.e), []);
  });

  it('cannot reset while the flame is still burning (or a non-latched alarm)', () => {
    const b = new Bench();
    const id = b.send(b.fire, 1)[0].alarm.id;
    assert.equal(
      outcome(() => b.do(id, 'reset')),
      'error:invalid-state',
    );
    b.do(id, 'ack');
    assert.equal(
      outcome(() => b.do(id, 'reset')),
      'error:invalid-state',
    );
    assert.deepEqual(summary(b.send(b.fire, 0)), ['flame:clear:latched']);
    assert.equal(
      outcome(() => b.do(id, 'reset')),
      'normal',
    );
    const gas = b.into('rtn-unack');
    assert.equal(
      outcome(() => b.do(gas, 'reset')),
      'error:invalid-state',
    );
  });

  it('a latched flame that flares again goes back to unack', () => {
    const b = new Bench();
    const id = b.into('latched-acked');
    const ts = b.send(b.fire, 1);
    assert.deepEqual(summary(ts), ['flame:re-alarm:unack']);
    assert.equal(ts[0].alarm.id, id);
    assert.equal(ts[0].alarm.ackedAt, undefined);
  });
});

describe('shelving', () => {
  it('validates minutes (positive, at most the maximum) and requires a reason', () => {
    const b = new Bench();
    const id = b.into('unack');
    for (const args of [
      { minutes: 0, reason: 'x' },
      { minutes: 61, reason: 'x' },
      { minutes: 10 },
      { minutes: 10, reason: ' ' },
    ]) {
      assert.equal(
        outcome(() => b.do(id, 'shelve', args)),
        'error:bad-args',
        JSON.stringify(args),
      );
    }
    assert.equal(
      outcome(() => b.do(id, 'shelve', { minutes: 60, reason: 'maintenance' })),
      'shelved',
    );
    assert.equal(
      outcome(() => b.do(id, 'shelve', { minutes: 5, reason: 'again' })),
      'error:invalid-state',
    );
  });

  it('a shelved alarm is silent while its condition toggles, and expires on tick to the implied state', () => {
    const b = new Bench();
    const id = b.into('unack');
    const [s] = b.do(id, 'shelve', { minutes: 10, reason: 'sensor being calibrated' });
    assert.equal(s.alarm.shelvedUntil, b.t + 600_000);
    const until = b.t + 600_000;
    assert.deepEqual(b.send(b.gas, 0), []);
    assert.deepEqual(b.send(b.gas, 12), []);
    assert.deepEqual(b.e.tick(until - 1), []);
    const [t] = b.e.tick(until);
    assert.deepEqual(
      [t.action, t.actor, t.fromState, t.toState, t.alarm.shelvedUntil],
      ['auto-unshelve', 'system', 'shelved', 'unack', undefined],
    );
  });

  it('expiry with the condition gone closes a plain alarm but keeps a latched one latched', () => {
    const b = new Bench();
    const gas = b.into('shelved');
    b.send(b.gas, 0);
    const fire = b.into('latched');
    b.do(fire, 'shelve', { minutes: 5, reason: 'test' });
    const ts = b.e.tick(b.t + 3_600_000);
    assert.deepEqual(ts.map((t) => `${t.alarm.id === gas ? 'gas' : 'fire'}:${t.toState}`).sort(), [
      'fire:latched',
      'gas:normal',
    ]);
  });

  it('unshelve by an operator returns to the implied state; only a shelved alarm can be unshelved', () => {
    const b = new Bench();
    const id = b.into('shelved');
    assert.equal(
      outcome(() => b.do(id, 'unshelve')),
      'unack',
    );
    assert.equal(
      outcome(() => b.do(id, 'unshelve')),
      'error:invalid-state',
    );
  });
});

describe('out-of-service, comment and bad requests', () => {
  it('out-of-service hides the alarm until return-to-service, which restores the implied state', () => {
    const b = new Bench();
    const id = b.into('out-of-service');
    assert.deepEqual(standing(b.e), ['gas-low=out-of-service']);
    assert.deepEqual(b.send(b.gas, 0), []);
    assert.equal(
      outcome(() => b.do(id, 'shelve', { minutes: 5, reason: 'x' })),
      'error:invalid-state',
    );
    assert.equal(
      outcome(() => b.do(id, 'out-of-service', { reason: 'x' })),
      'error:invalid-state',
    );
    assert.equal(
      outcome(() => b.do(id, 'return-to-service')),
      'normal',
    );
    assert.deepEqual(standing(b.e), []);
  });

  it('out-of-service needs a reason; a shelved alarm can be taken out of service', () => {
    const b = new Bench();
    const id = b.into('shelved');
    assert.equal(
      outcome(() => b.do(id, 'out-of-service')),
      'error:bad-args',
    );
    assert.equal(
      outcome(() => b.do(id, 'out-of-service', { reason: 'removed' })),
      'out-of-service',
    );
    assert.deepEqual(b.e.tick(b.t + 3_600_000), [], 'no shelving expiry once out of service');
  });

  it('comment keeps the state and journals the text; empty text is bad-args', () => {
    const b = new Bench();
    const id = b.into('acked');
    const [t] = b.do(id, 'comment', { text: 'valve closed by 2nd shift' });
    assert.deepEqual(
      [t.fromState, t.toState, t.action, t.comment],
      ['acked', 'acked', 'comment', 'valve closed by 2nd shift'],
    );
    assert.equal(
      outcome(() => b.do(id, 'comment', { text: '' })),
      'error:bad-args',
    );
  });

  it('unknown action and unknown id', () => {
    const b = new Bench();
    const id = b.into('unack');
    assert.equal(
      outcome(() => b.do(id, 'delete')),
      'error:bad-args',
    );
    assert.equal(
      outcome(() => b.do('nope', 'ack')),
      'error:not-found',
    );
  });
});

describe('load after restart', () => {
  it('restores standing alarms; a reading back to normal clears a restored gas-low', () => {
    const b = new Bench();
    b.into('acked');
    const fire = b.into('latched');
    const saved = b.e.active();
    const e2 = engine();
    e2.load([...saved, { ...saved[0], id: 'old', state: 'normal' }]);
    assert.deepEqual(standing(e2), ['flame=latched', 'gas-low=acked']);
    const ctx = fast();
    assert.deepEqual(summary(e2.onReading(reading(ctx, T0 + 100_000, 0), ctx, T0 + 100_000)), ['gas-low:clear:normal']);
    assert.equal(
      outcome(() => e2.act(fire, 'reset', 'lee', T0 + 100_001)),
      'normal',
    );
  });

  it('a restored active alarm is not raised twice', () => {
    const b = new Bench();
    b.into('unack');
    const e2 = engine();
    e2.load(b.e.active());
    const ctx = fast();
    assert.deepEqual(e2.onReading(reading(ctx, T0 + 100_000, 12), ctx, T0 + 100_000), []);
    assert.equal(e2.active().length, 1);
  });
});
