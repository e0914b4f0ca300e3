/**
 * ISA-18.2 alarm state machine (ANSI/ISA-18.2-2016 clause 11.3, alarm states and transitions,
 * mapped onto the CONTRACT "Alarm object" states):
 *
 *   condition active, no standing alarm  -> unack          (raise)
 *   unack  --ack--> acked                  unack  --clear--> rtn-unack, or latched if latched
 *   acked  --clear--> normal (closed), or latched if latched
 *   rtn-unack --ack--> normal             rtn-unack/latched --condition again--> unack (re-alarm)
 *   latched --reset--> normal (only once the condition has returned; ack there is recorded)
 *   any standing --shelve{minutes,reason}--> shelved --unshelve / expiry--> implied state
 *   any standing --out-of-service--> out-of-service --return-to-service--> implied state
 *
 * "Implied state" after shelving or out-of-service: unack if the condition is active now,
 * latched if it has returned but the rule latches, otherwise the alarm closes (normal).
 * While shelved or out of service the condition is still tracked, never announced.
 * Operator actions live in actions.ts; chattering and flood in their own trackers.
 */
import type { Alarm, AlarmState, FloodState } from '@gwanje/protocol';
import type { Condition, ServiceChange, Transition } from '../types.js';
import { ChatterTracker } from './chattering.js';
import { FloodTracker } from './flood.js';

export interface StateMachineOptions {
  /** Alarm id generator (injected: ULIDs in production, counters in tests). */
  newId: () => string;
  /** Actor name journaled for transitions the machine makes itself. */
  systemActor?: string;
  chatter?: { count?: number; windowMs?: number };
  flood?: { start?: number; end?: number; windowMs?: number };
  /** Longest shelving an operator may ask for (default 8 h, one shift). */
  maxShelveMinutes?: number;
}

/** Standing alarms are keyed by source and type; advisory (ML) alarms have a slot of their own. */
export const alarmKey = (sourceId: string, type: string, advisory: boolean | undefined): string =>
  advisory ? `${sourceId}\u0000${type}\u0000advisory` : `${sourceId}\u0000${type}`;

const keyOf = (a: Alarm): string => alarmKey(a.sourceId, a.type, a.advisory);

export class AlarmStateMachine {
  readonly system: string;
  readonly maxShelveMinutes: number;
  readonly chatter: ChatterTracker;
  readonly floods: FloodTracker;
  /** Standing alarms (state other than normal) by key and by id. */
  readonly byKey = new Map<string, Alarm>();
  readonly byId = new Map<string, Alarm>();
  /** Ids of shelved alarms, so a tick does not walk every alarm for expiry. */
  readonly shelved = new Set<string>();
  /** Sources (sensors) out of service for maintenance or a bump test, with why and since when. */
  readonly sourcesOutOfService = new Map<string, { since: number; actor: string; reason?: string }>();

  constructor(readonly opts: StateMachineOptions) {
    this.system = opts.systemActor ?? 'system';
    this.maxShelveMinutes = opts.maxShelveMinutes ?? 480;
    this.chatter = new ChatterTracker({ count: opts.chatter?.count ?? 3, windowMs: opts.chatter?.windowMs ?? 60_000 });
    this.floods = new FloodTracker({
      start: opts.flood?.start ?? 10,
      end: opts.flood?.end ?? 5,
      windowMs: opts.flood?.windowMs ?? 600_000,
    });
  }

  /** Applies one detector verdict; returns the transitions it causes (none when nothing changes). */
  apply(c: Condition, now: number): Transition[] {
    const key = alarmKey(c.sourceId, c.type, c.advisory);
    const a = this.byKey.get(key);
    if (!a) return c.active ? this.raise(key, c, now) : [];
    const was = a.active === true;
    a.active = c.active;
    if (c.active && c.sensorTs !== undefined) a.latency = { ...a.latency, sensorTs: c.sensorTs, evaluatedAt: now };
    if (a.state === 'shelved' || a.state === 'out-of-service') {
      if (c.active && !was) this.chatter.activate(key, now);
      return [];
    }
    if (c.active) {
      if (a.state !== 'rtn-unack' && a.state !== 'latched') return [];
      // Re-alarm of a standing alarm (ISA-18.2: returns to the unacknowledged alarm state).
      const before = this.chatter.isChattering(key);
      if (this.chatter.activate(key, now)) a.chattering = true;
      const announce = !before;
      a.priority = c.priority;
      a.value = c.value;
      a.threshold = c.threshold;
      a.message = c.message;
      a.raisedMessage = c.message;
      if (c.facts) a.facts = c.facts;
      if (c.facts) a.raisedFacts = c.facts;
      if (c.anomaly) a.anomaly = c.anomaly;
      delete a.ackedAt;
      delete a.ackedBy;
      delete a.clearedAt;
      const out = [this.move(a, 'unack', 're-alarm', this.system, now, announce)];
      if (announce) out.push(...this.countForFlood(a, now));
      return out;
    }
    if (a.state !== 'unack' && a.state !== 'acked') return [];
    a.clearedAt = now;
    a.value = c.value;
    a.message = c.message;
    if (c.facts) a.facts = c.facts;
    const to: AlarmState = a.latched ? 'latched' : a.state === 'unack' ? 'rtn-unack' : 'normal';
    return [this.move(a, to, 'clear', this.system, now, !this.chatter.isChattering(key))];
  }

  /**
   * A whole source out of service (maintenance, a bump test) or back. Out: every standing alarm of
   * the source moves to out-of-service. Back: each takes the state its condition implies, except
   * alarms raised while out of service (the test gas), which close once inactive.
   */
  sourceService(sourceId: string, change: ServiceChange, now: number): Transition[] {
    const { outOfService, actor, reason, since = now } = change;
    const out: Transition[] = [];
    const mine = [...this.byId.values()].filter((a) => a.sourceId === sourceId);
    if (outOfService) {
      if (this.sourcesOutOfService.has(sourceId)) return out;
      this.sourcesOutOfService.set(sourceId, { since, actor, reason });
      for (const a of mine) {
        if (a.state === 'out-of-service') continue;
        delete a.shelvedUntil;
        this.shelved.delete(a.id);
        out.push(this.move(a, 'out-of-service', 'out-of-service', actor, now, true, reason));
      }
      return out;
    }
    const from = this.sourcesOutOfService.get(sourceId)?.since;
    if (from === undefined) return out;
    this.sourcesOutOfService.delete(sourceId);
    for (const a of mine) {
      if (a.state !== 'out-of-service') continue;
      if (a.raisedAt >= from && !a.active) {
        out.push(this.move(a, 'normal', 'return-to-service', actor, now, true));
      } else {
        out.push(this.restore(a, 'return-to-service', actor, now));
      }
    }
    return out;
  }

  /** Shelving expiry, chattering settling and flood end. */
  tick(now: number): Transition[] {
    const out: Transition[] = [];
    for (const id of this.shelved) {
      const a = this.byId.get(id);
      if (a && a.shelvedUntil !== undefined && a.shelvedUntil <= now) {
        const t = this.restore(a, 'auto-unshelve', this.system, now);
        t.facts = { reason: 'shelving-expired' };
        out.push(t);
      }
    }
    for (const key of this.chatter.settle(now)) {
      const a = this.byKey.get(key);
      if (a?.chattering) {
        delete a.chattering;
        out.push(this.move(a, a.state, 'chatter-settled', this.system, now, false));
      }
    }
    this.floods.tick(now);
    return out;
  }

  /** Restores standing alarms after a restart (closed ones are ignored). */
  load(alarms: readonly Alarm[]): void {
    for (const src of alarms) {
      if (src.state === 'normal') continue;
      const a: Alarm = { ...src, cameras: [...src.cameras] };
      a.active ??= a.state === 'unack' || a.state === 'acked';
      const key = keyOf(a);
      const old = this.byKey.get(key);
      if (old && old.raisedAt > a.raisedAt) continue;
      if (old) this.forget(old);
      this.byKey.set(key, a);
      this.byId.set(a.id, a);
      if (a.state === 'shelved') this.shelved.add(a.id);
    }
  }

  /**
   * Issue 19: the stored standing alarm of a condition wins over the one held here (another center
   * instance raised it first): the one held here is forgotten, the stored one goes on.
   */
  adopt(stored: Alarm): void {
    const held = this.byKey.get(keyOf(stored));
    if (held) this.forget(held);
    this.load([stored]);
  }

  /** Standing alarms (copies), newest first. */
  active(): Alarm[] {
    return [...this.byId.values()].map((a) => ({ ...a })).sort((x, y) => y.raisedAt - x.raisedAt);
  }

  flood(siteId: string): FloodState {
    return this.floods.state(siteId);
  }

  /** The state the condition implies once shelving or out-of-service ends. */
  implied(a: Alarm): AlarmState {
    if (a.active) return 'unack';
    return a.latched ? 'latched' : 'normal';
  }

  /** Ends shelving or out-of-service: the alarm takes the state its condition implies. */
  restore(a: Alarm, action: string, actor: string, now: number, comment?: string): Transition {
    delete a.shelvedUntil;
    this.shelved.delete(a.id);
    const to = this.implied(a);
    if (to === 'unack') {
      delete a.ackedAt;
      delete a.ackedBy;
    }
    return this.move(a, to, action, actor, now, to !== 'normal', comment);
  }

  /** Changes state, keeps the indexes right, returns the journal-ready transition (a snapshot). */
  move(
    a: Alarm,
    to: AlarmState,
    action: string,
    actor: string,
    now: number,
    announce: boolean,
    comment?: string,
  ): Transition {
    const fromState = a.state;
    a.state = to;
    a.updatedAt = now;
    if (to === 'normal') this.forget(a);
    const t: Transition = { alarm: { ...a }, fromState, toState: to, action, actor, announce };
    if (comment !== undefined) t.comment = comment;
    return t;
  }

  private raise(key: string, c: Condition, now: number): Transition[] {
    const a: Alarm = {
      id: this.opts.newId(),
      siteId: c.siteId,
      sourceId: c.sourceId,
      sourceKind: c.sourceKind,
      type: c.type,
      priority: c.priority,
      state: 'unack',
      raisedAt: now,
      message: c.message,
      cameras: c.cameras ? [...c.cameras] : [],
      active: true,
      latched: c.latched === true,
      updatedAt: now,
      latency: c.sensorTs !== undefined ? { sensorTs: c.sensorTs, evaluatedAt: now } : { evaluatedAt: now },
    };
    if (c.value !== undefined) a.value = c.value;
    if (c.threshold !== undefined) a.threshold = c.threshold;
    // Issue 21: `message`/`facts` follow the condition (a clear says "back to normal"); these keep what was raised.
    a.raisedMessage = c.message;
    if (c.facts) a.facts = c.facts;
    if (c.facts) a.raisedFacts = c.facts;
    if (c.anomaly) a.anomaly = c.anomaly;
    if (c.advisory) a.advisory = true;
    if (this.sourcesOutOfService.has(c.sourceId)) {
      // Maintenance or a bump test: recorded and shown out of service, never sounded or counted
      // toward a flood (ISA-18.2 clause 11.3, state I).
      a.state = 'out-of-service';
      this.byKey.set(key, a);
      this.byId.set(a.id, a);
      return [{ alarm: { ...a }, toState: 'out-of-service', action: 'raise', actor: this.system, announce: true }];
    }
    const chatterBefore = this.chatter.isChattering(key);
    if (this.chatter.activate(key, now)) a.chattering = true;
    this.byKey.set(key, a);
    this.byId.set(a.id, a);
    const announce = !chatterBefore;
    const t: Transition = { alarm: { ...a }, toState: 'unack', action: 'raise', actor: this.system, announce };
    return announce ? [t, ...this.countForFlood(a, now)] : [t];
  }

  /** Counts an annunciated alarm toward its site's flood; marks the first-out when a flood starts. */
  private countForFlood(a: Alarm, now: number): Transition[] {
    const firstOut = this.floods.raise(a.siteId, a.id, now);
    if (firstOut === undefined) return [];
    const f = this.byId.get(firstOut);
    if (!f) return []; // the first-out already closed; flood(siteId) still names it
    f.firstOut = true;
    const t = this.move(f, f.state, 'first-out', this.system, now, true);
    t.facts = { reason: 'flood', siteId: a.siteId };
    return [t];
  }

  private forget(a: Alarm): void {
    const key = keyOf(a);
    if (this.byKey.get(key) === a) this.byKey.delete(key);
    this.byId.delete(a.id);
    this.shelved.delete(a.id);
  }
}
