/** Shared fixtures for the escalation tests: a database (SQLite or PostgreSQL), a roster, an alarm. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alarm } from '@gwanje/protocol';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { createTestDatabase } from '../../testkit/index.js';
import type { EscalationPolicy } from '../src/policy.js';
import { KannelProvider } from '../src/providers/kannel.js';
import type { Roster } from '../src/roster.js';
import type { Kannel } from './kannel-harness.js';

export const log = pino({ level: process.env.GWANJE_TEST_LOG ?? 'silent' });

export async function openTestDb(
  kind: 'sqlite' | 'postgres',
  file?: string,
): Promise<{ db: Kysely<unknown>; file: string; close(): Promise<void> }> {
  if (kind === 'sqlite') {
    const path = file ?? join(mkdtempSync(join(tmpdir(), 'gwanje-esc-')), 'esc.db');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path) }) });
    return { db, file: path, close: () => db.destroy() };
  }
  const t = file ? { url: file, drop: async () => {} } : await createTestDatabase('gwanje_esc');
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: t.url, max: 4 }) }),
  });
  return {
    db,
    file: t.url,
    close: async () => {
      await db.destroy();
      if (!file) await t.drop();
    },
  };
}

/** 2026-11-23 is a Monday. Day shift 08:00-20:00 KST, night 20:00-08:00, weekly rotation. */
export const T_MONDAY_10_KST = Date.UTC(2026, 10, 23, 1, 0); // 10:00 KST

export const roster: Roster = {
  id: 'default',
  siteIds: '*',
  utcOffsetMin: 540,
  contacts: [
    { id: 'kim', name: '김반장', phone: '010-1111-0001', lang: 'ko', username: 'kim' },
    { id: 'lee', name: '이반장', phone: '010-1111-0002', lang: 'ko' },
    { id: 'park', name: 'Park', phone: '+82 10-1111-0003', lang: 'en' },
    { id: 'choi', name: '최소방', phone: '010-1111-0004', lang: 'ko' },
  ],
  shifts: [
    {
      role: 'supervisor',
      name: 'day',
      start: '2026-11-02T08:00',
      rrule: 'FREQ=DAILY',
      durationMin: 720,
      rotation: ['kim', 'lee'],
    },
    {
      role: 'supervisor',
      name: 'night',
      start: '2026-11-02T20:00',
      rrule: 'FREQ=DAILY',
      durationMin: 720,
      rotation: ['lee', 'kim'],
    },
    { role: 'safety-manager', start: '2026-11-02T00:00', rrule: 'FREQ=DAILY', durationMin: 1440, rotation: ['park'] },
    { role: 'fire-liaison', start: '2026-11-02T00:00', rrule: 'FREQ=DAILY', durationMin: 1440, rotation: ['choi'] },
  ],
  holidays: [{ date: '2026-12-25', role: 'supervisor', contacts: ['park'] }],
  overrides: [],
};

export function gasAlarm(id: string, raisedAt: number, over: Partial<Alarm> = {}): Alarm {
  return {
    id,
    siteId: 'suwon',
    sourceId: 'suwon-ch4-1',
    sourceKind: 'sensor',
    type: 'gas-high',
    priority: 1,
    state: 'unack',
    raisedAt,
    value: 62,
    threshold: 25,
    message: 'CH4 62 %LEL >= 25',
    cameras: [],
    ...over,
  };
}

export const sites: Record<string, { name: string; nameKo: string }> = {
  suwon: { name: 'Suwon', nameKo: '수원' },
  anyang: { name: 'Anyang', nameKo: '안양' },
};

/** A Kannel provider for a test that receives no callbacks from the gateway. */
export const kannelProvider = (kannel: Kannel): KannelProvider =>
  new KannelProvider({
    sendsmsUrl: kannel.sendsmsUrl,
    username: kannel.username,
    password: kannel.password,
    from: '1588',
    callbackBase: 'http://127.0.0.1:9',
    callbackKey: 'k',
  });

/** P1 alarms: the on-duty supervisor after `firstSec`, the safety manager after `secondSec`. */
export const twoTierPolicy = (id: string, firstSec: number, secondSec: number): EscalationPolicy => ({
  id,
  siteIds: '*',
  priorities: [1],
  tiers: [
    { name: 'supervisor', delaySec: firstSec, recipients: [{ roster: 'default', role: 'supervisor' }] },
    { name: 'safety', delaySec: secondSec, recipients: [{ roster: 'default', role: 'safety-manager' }] },
  ],
});
