/**
 * Alarm flood per site (ISA-18.2 clause 16.5 and EEMUA 191: a flood starts when more than 10
 * alarms are annunciated in 10 minutes and ends when the rate falls below 5 in 10 minutes). The
 * first alarm of the flood (the oldest one inside the window when it starts) is the first-out:
 * usually the root cause the operator should look at first.
 */
import type { FloodState } from '@gwanje/protocol';

export interface FloodOptions {
  /** Flood when more than this many alarms are raised in the window (default 10). */
  start: number;
  /** The flood ends when fewer than this many remain in the window (default 5). */
  end: number;
  windowMs: number;
}

interface SiteFlood {
  ts: number[];
  ids: string[];
  active: boolean;
  firstOutAlarmId?: string;
}

export class FloodTracker {
  private readonly sites = new Map<string, SiteFlood>();
  private readonly changed = new Set<string>();

  constructor(readonly opts: FloodOptions) {}

  /** Records an annunciated alarm; returns the first-out alarm id when this raise starts a flood. */
  raise(siteId: string, alarmId: string, now: number): string | undefined {
    let s = this.sites.get(siteId);
    if (!s) {
      s = { ts: [], ids: [], active: false };
      this.sites.set(siteId, s);
    }
    s.ts.push(now);
    s.ids.push(alarmId);
    this.evict(s, now);
    if (!s.active && s.ts.length > this.opts.start) {
      s.active = true;
      this.changed.add(siteId);
      s.firstOutAlarmId = s.ids[0];
      return s.firstOutAlarmId;
    }
    return undefined;
  }

  /** Ends floods whose rate has dropped; returns the sites whose flood ended. */
  tick(now: number): string[] {
    const ended: string[] = [];
    for (const [siteId, s] of this.sites) {
      this.evict(s, now);
      if (s.active && s.ts.length < this.opts.end) {
        s.active = false;
        s.firstOutAlarmId = undefined;
        ended.push(siteId);
        this.changed.add(siteId);
      }
      if (!s.active && s.ts.length === 0) this.sites.delete(siteId);
    }
    return ended;
  }

  state(siteId: string): FloodState {
    const s = this.sites.get(siteId);
    if (!s) return { siteId, active: false, count: 0 };
    const out: FloodState = { siteId, active: s.active, count: s.ts.length };
    if (s.firstOutAlarmId !== undefined) out.firstOutAlarmId = s.firstOutAlarmId;
    return out;
  }

  /** Sites whose flood started or ended since the last call (for the `flood` event). */
  takeChanged(): FloodState[] {
    const out = [...this.changed].map((id) => this.state(id));
    this.changed.clear();
    return out;
  }

  private evict(s: SiteFlood, now: number): void {
    const from = now - this.opts.windowMs;
    let drop = 0;
    while (drop < s.ts.length && s.ts[drop] <= from) drop++;
    if (drop > 0) {
      s.ts.splice(0, drop);
      s.ids.splice(0, drop);
    }
  }
}
