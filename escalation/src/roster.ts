/**
 * On-call rosters: who is on duty for a role now. Pure; time is an argument.
 *
 * Shifts recur by an RFC 5545 RRULE (npm `rrule`) evaluated in the roster's local time (Korea:
 * UTC+9 with no daylight saving, so a fixed offset is exact). Order of precedence: a temporary
 * override, then a holiday crew for that local date, then the shift rotation.
 */
import rrulePkg from 'rrule';
import type { Recipient } from './policy.js';
import { normalizePhone } from './reply.js';

const { RRule } = rrulePkg;

export interface Contact {
  id: string;
  name: string;
  phone: string;
  lang: 'ko' | 'en';
  /** The Gwanje user this person logs in as, when any: journal entries use it. */
  username?: string;
}

export interface Shift {
  role: string;
  name?: string;
  /** Local first start, 'YYYY-MM-DDTHH:MM'. */
  start: string;
  /** RRULE body, e.g. 'FREQ=DAILY' or 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR'. */
  rrule: string;
  durationMin: number;
  /** Contact ids taking the shift in turn. */
  rotation: string[];
  /** Days per turn; 7 is a weekly rotation. */
  rotateEveryDays?: number;
}

export interface Holiday {
  /** Local date 'YYYY-MM-DD'. */
  date: string;
  name?: string;
  /** The role covered; unset covers every role. */
  role?: string;
  contacts: string[];
}

export interface Override {
  role: string;
  contact: string;
  from: number;
  to: number;
  reason?: string;
}

export interface Roster {
  id: string;
  siteIds: string[] | '*';
  utcOffsetMin: number;
  contacts: Contact[];
  shifts: Shift[];
  holidays: Holiday[];
  overrides: Override[];
}

const DAY = 86_400_000;

/** Parses a local 'YYYY-MM-DDTHH:MM' as a "floating" Date whose UTC fields are the local fields. */
function floating(local: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) throw new Error(`roster: bad local time "${local}" (want YYYY-MM-DDTHH:MM)`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
}

const ruleCache = new Map<string, InstanceType<typeof RRule>>();
function ruleFor(shift: Shift): InstanceType<typeof RRule> {
  const key = `${shift.start}|${shift.rrule}`;
  let rule = ruleCache.get(key);
  if (!rule) {
    const opts = RRule.parseString(shift.rrule);
    rule = new RRule({ ...opts, dtstart: floating(shift.start) });
    ruleCache.set(key, rule);
  }
  return rule;
}

export interface DutyAnswer {
  role: string;
  contacts: Contact[];
  source: 'override' | 'holiday' | 'shift' | 'none';
  shift?: string;
  until?: number;
}

export function onDuty(roster: Roster, role: string, now: number): DutyAnswer {
  const byId = new Map(roster.contacts.map((c) => [c.id, c]));
  const pick = (ids: string[]) => ids.map((id) => byId.get(id)).filter((c): c is Contact => c !== undefined);
  const offset = roster.utcOffsetMin * 60_000;

  const overrides = roster.overrides.filter((o) => o.role === role && o.from <= now && now < o.to);
  if (overrides.length > 0) {
    return {
      role,
      contacts: pick(overrides.map((o) => o.contact)),
      source: 'override',
      until: Math.min(...overrides.map((o) => o.to)),
    };
  }
  const localNow = new Date(now + offset);
  const localDate = localNow.toISOString().slice(0, 10);
  const holiday = roster.holidays.find((h) => h.date === localDate && (h.role === undefined || h.role === role));
  if (holiday) return { role, contacts: pick(holiday.contacts), source: 'holiday' };

  for (const shift of roster.shifts.filter((s) => s.role === role)) {
    const occ = ruleFor(shift).before(localNow, true);
    if (!occ) continue;
    const end = occ.getTime() + shift.durationMin * 60_000;
    const id = turnOf(shift, occ);
    if (end <= localNow.getTime() || id === undefined) continue;
    return { role, contacts: pick([id]), source: 'shift', shift: shift.name, until: end - offset };
  }
  return { role, contacts: [], source: 'none' };
}

/** The contact whose turn it is for a shift occurrence starting at local (floating) `occ`. */
function turnOf(shift: Shift, occ: Date): string | undefined {
  if (shift.rotation.length === 0) return undefined;
  const turn = Math.floor((occ.getTime() - floating(shift.start).getTime()) / ((shift.rotateEveryDays ?? 7) * DAY));
  return shift.rotation[turn % shift.rotation.length];
}

export interface ShiftSlot {
  role: string;
  name?: string;
  /** Epoch ms (UTC). */
  start: number;
  end: number;
  contacts: Contact[];
}

/**
 * Every shift occurrence overlapping [from, to) (epoch ms), with whose turn it is: the week
 * calendar of the console and the "per shift" choice of KPIs and the shift report (issue 21).
 * Holidays and overrides are not folded in here: they answer "who", not "when".
 */
export function shiftSlots(roster: Roster, from: number, to: number): ShiftSlot[] {
  const byId = new Map(roster.contacts.map((c) => [c.id, c]));
  const offset = roster.utcOffsetMin * 60_000;
  const out: ShiftSlot[] = [];
  for (const shift of roster.shifts) {
    const dur = shift.durationMin * 60_000;
    // An occurrence that started before `from` may still run into it.
    const occs = ruleFor(shift).between(new Date(from + offset - dur), new Date(to + offset), true);
    for (const occ of occs) {
      const start = occ.getTime() - offset;
      if (start + dur <= from || start >= to) continue;
      const id = turnOf(shift, occ);
      const c = id === undefined ? undefined : byId.get(id);
      out.push({ role: shift.role, name: shift.name, start, end: start + dur, contacts: c ? [c] : [] });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.role.localeCompare(b.role));
}

/** Every role the roster knows, answered for `now`: "who is on duty now". */
export function dutyBoard(roster: Roster, now: number): DutyAnswer[] {
  const roles = new Set([...roster.shifts.map((s) => s.role), ...roster.overrides.map((o) => o.role)]);
  return [...roles].sort().map((role) => onDuty(roster, role, now));
}

/** Finds the contact for a phone number across the roster. */
export function contactByPhone(roster: Roster, phone: string, normalize: (p: string) => string): Contact | undefined {
  const want = normalize(phone);
  return roster.contacts.find((c) => normalize(c.phone) === want);
}

/** Contacts for a tier, one per phone number (a person in two roles gets one message). */
export function tierRecipients(rosters: Roster[], list: Recipient[], siteId: string, now: number): Contact[] {
  const out = new Map<string, Contact>();
  for (const r of list) {
    const roster = rosters.find((x) => x.id === r.roster && (x.siteIds === '*' || x.siteIds.includes(siteId)));
    if (!roster) continue;
    const found =
      'role' in r ? onDuty(roster, r.role, now).contacts : roster.contacts.filter((c) => c.id === r.contact);
    for (const c of found) if (!out.has(normalizePhone(c.phone))) out.set(normalizePhone(c.phone), c);
  }
  return [...out.values()];
}
