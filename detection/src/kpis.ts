/**
 * Alarm-system performance figures per EEMUA 191 (3rd ed., section 6 and annex on alarm rates)
 * and ANSI/ISA-18.2 clause 16.5: annunciated alarms per 10 minutes (average and peak), percent
 * of time in flood, standing alarms (active for more than 24 h) and the most frequent chattering
 * sources. Computed from the alarm records and their journal; pure.
 *
 * An activation is a journal entry 'raise' or 're-alarm' (an alarm with no 'raise' entry counts
 * at its raisedAt). Flood time uses the engine's rule: a site is in flood from the moment more
 * than 10 activations fall within 10 minutes until fewer than 5 remain.
 */
import type { Alarm, JournalEntry } from '@gwanje/protocol';

export interface KpiOptions {
  bucketMs?: number;
  floodStart?: number;
  floodEnd?: number;
  standingMs?: number;
  chatterCount?: number;
  chatterWindowMs?: number;
  top?: number;
}

export interface ChatterSource {
  siteId: string;
  sourceId: string;
  type: string;
  activations: number;
  /** Times the source entered chattering (more than chatterCount activations in the window). */
  episodes: number;
}

export interface Kpis {
  from: number;
  to: number;
  activations: number;
  alarmsPer10Min: { average: number; peak: number; peakAt?: number };
  /** Share of [from, to) in which at least one of the sites was in flood, 0..100. */
  percentTimeInFlood: number;
  standing: { count: number; alarmIds: string[] };
  topChattering: ChatterSource[];
  byPriority: Record<'1' | '2' | '3' | '4', number>;
  /** Activations per bucket (10 min) from `from`: what the console charts. */
  series: { bucketMs: number; counts: number[] };
}

/** One site's figures in `GET /api/v1/kpis` `sites` (issue 21). */
export type SiteKpis = Pick<
  Kpis,
  'activations' | 'alarmsPer10Min' | 'percentTimeInFlood' | 'standing' | 'byPriority'
> & {
  siteId: string;
};

type Interval = [number, number];

function floodIntervals(times: number[], o: Required<KpiOptions>): Interval[] {
  const out: Interval[] = [];
  let lo = 0;
  let i = 0;
  let startedAt = Number.NaN;
  const win = o.bucketMs;
  while (i < times.length || (lo < i && !Number.isNaN(startedAt))) {
    const arrival = i < times.length ? times[i] : Number.POSITIVE_INFINITY;
    const expiry = lo < i ? times[lo] + win : Number.POSITIVE_INFINITY;
    if (expiry <= arrival) {
      lo++;
      if (!Number.isNaN(startedAt) && i - lo < o.floodEnd) {
        out.push([startedAt, expiry]);
        startedAt = Number.NaN;
      }
    } else {
      i++;
      if (Number.isNaN(startedAt) && i - lo > o.floodStart) startedAt = arrival;
    }
  }
  return out;
}

function unionLength(intervals: Interval[], from: number, to: number): number {
  const clipped = intervals
    .map(([s, e]): Interval => [Math.max(s, from), Math.min(e, to)])
    .filter(([s, e]) => e > s)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cur: Interval | undefined;
  for (const iv of clipped) {
    if (cur && iv[0] <= cur[1]) cur[1] = Math.max(cur[1], iv[1]);
    else {
      if (cur) total += cur[1] - cur[0];
      cur = [iv[0], iv[1]];
    }
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

function chatterEpisodes(times: number[], count: number, windowMs: number): number {
  let episodes = 0;
  let lo = 0;
  let inside = false;
  for (let i = 0; i < times.length; i++) {
    while (times[lo] <= times[i] - windowMs) lo++;
    const n = i - lo + 1;
    if (n > count && !inside) episodes++;
    inside = n > count;
  }
  return episodes;
}

export function computeKpis(
  alarms: readonly Alarm[],
  journal: readonly JournalEntry[],
  range: { from: number; to: number },
  options: KpiOptions = {},
): Kpis {
  const o: Required<KpiOptions> = {
    bucketMs: 600_000,
    floodStart: 10,
    floodEnd: 5,
    standingMs: 24 * 3600_000,
    chatterCount: 3,
    chatterWindowMs: 60_000,
    top: 10,
    ...options,
  };
  const { from, to } = range;
  if (!(to > from)) throw new Error('kpis: range.to must be after range.from');
  const byId = new Map(alarms.map((a) => [a.id, a]));
  // Every activation up to `to` (earlier ones matter for floods and chattering spanning `from`).
  const acts: { ts: number; alarm?: Alarm }[] = [];
  const journaled = new Set<string>();
  for (const j of journal) {
    if (j.action !== 'raise' && j.action !== 're-alarm') continue;
    if (j.action === 'raise') journaled.add(j.alarmId);
    if (j.ts < to) acts.push({ ts: j.ts, alarm: byId.get(j.alarmId) });
  }
  for (const a of alarms) if (!journaled.has(a.id) && a.raisedAt < to) acts.push({ ts: a.raisedAt, alarm: a });
  acts.sort((x, y) => x.ts - y.ts);

  const nBuckets = Math.ceil((to - from) / o.bucketMs);
  const buckets = new Array<number>(nBuckets).fill(0);
  const byPriority: Kpis['byPriority'] = { '1': 0, '2': 0, '3': 0, '4': 0 };
  const perSite = new Map<string, number[]>();
  const perSource = new Map<string, { s: ChatterSource; times: number[] }>();
  let inRange = 0;
  for (const { ts, alarm } of acts) {
    const site = alarm?.siteId ?? '';
    let list = perSite.get(site);
    if (!list) {
      list = [];
      perSite.set(site, list);
    }
    list.push(ts);
    if (alarm) {
      const key = `${alarm.sourceId}\u0000${alarm.type}`;
      let src = perSource.get(key);
      if (!src) {
        const s = { siteId: alarm.siteId, sourceId: alarm.sourceId, type: alarm.type, activations: 0, episodes: 0 };
        src = { s, times: [] };
        perSource.set(key, src);
      }
      src.times.push(ts);
      if (ts >= from) src.s.activations++;
    }
    if (ts < from) continue;
    inRange++;
    buckets[Math.floor((ts - from) / o.bucketMs)]++;
    if (alarm) byPriority[String(alarm.priority) as '1']++;
  }
  let peak = 0;
  let peakAt: number | undefined;
  buckets.forEach((n, k) => {
    if (n > peak) {
      peak = n;
      peakAt = from + k * o.bucketMs;
    }
  });
  const floods: Interval[] = [];
  for (const times of perSite.values()) floods.push(...floodIntervals(times, o));
  const standing = alarms.filter((a) => a.state !== 'normal' && a.raisedAt <= to - o.standingMs);
  const chatter = [...perSource.values()]
    .map(({ s, times }) => ({ ...s, episodes: chatterEpisodes(times, o.chatterCount, o.chatterWindowMs) }))
    .filter((s) => s.episodes > 0 && s.activations > 0)
    .sort((x, y) => y.activations - x.activations || y.episodes - x.episodes)
    .slice(0, o.top);
  const out: Kpis = {
    from,
    to,
    activations: inRange,
    alarmsPer10Min: { average: (inRange * 600_000) / (to - from), peak: (peak * 600_000) / o.bucketMs },
    percentTimeInFlood: (unionLength(floods, from, to) / (to - from)) * 100,
    standing: { count: standing.length, alarmIds: standing.map((a) => a.id) },
    topChattering: chatter,
    byPriority,
    series: { bucketMs: o.bucketMs, counts: buckets },
  };
  if (peakAt !== undefined) out.alarmsPer10Min.peakAt = peakAt;
  return out;
}

/** The figures of the whole scope and of each site in it (issue 21), busiest site first. */
export function computeKpisBySite(
  alarms: readonly Alarm[],
  journal: readonly JournalEntry[],
  range: { from: number; to: number },
): Kpis & { sites: SiteKpis[] } {
  const sites: SiteKpis[] = [];
  for (const siteId of new Set(alarms.map((a) => a.siteId))) {
    const mine = alarms.filter((a) => a.siteId === siteId);
    const ids = new Set(mine.map((a) => a.id));
    const k = computeKpis(
      mine,
      journal.filter((j) => ids.has(j.alarmId)),
      range,
    );
    const { activations, alarmsPer10Min, percentTimeInFlood, standing, byPriority } = k;
    sites.push({ siteId, activations, alarmsPer10Min, percentTimeInFlood, standing, byPriority });
  }
  sites.sort((a, b) => b.activations - a.activations || a.siteId.localeCompare(b.siteId));
  return { ...computeKpis(alarms, journal, range), sites };
}
