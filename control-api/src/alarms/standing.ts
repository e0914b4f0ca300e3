/**
 * Two small parts of the alarm service about standing alarms:
 * - StandingIndex: the active alarm ids of each source, which give a reading its pushed `state`
 *   ('alarm' while any of its alarms is active);
 * - persistAlarm: writes a transition (alarm row and journal entry) and tells a refusal by the
 *   one-standing-alarm index (migration 0014, issue 19) apart from any other failure.
 */
import type { Alarm, JournalEntry } from '@gwanje/protocol';
import type { AlarmStore } from '../ingest/ports.js';
import type { Logger } from '../logger.js';
import { isActive } from './engine.js';

export class StandingIndex {
  private readonly bySource = new Map<string, Set<string>>();

  /** Records the alarm's current state (active: indexed under its source; otherwise removed). */
  track(a: Alarm): void {
    let set = this.bySource.get(a.sourceId);
    if (isActive(a)) {
      if (!set) {
        set = new Set();
        this.bySource.set(a.sourceId, set);
      }
      set.add(a.id);
    } else if (set) {
      set.delete(a.id);
      if (set.size === 0) this.bySource.delete(a.sourceId);
    }
  }

  /** Forgets these alarms wherever they are (a site given to another instance). */
  forget(ids: ReadonlySet<string>): void {
    for (const [source, set] of this.bySource) {
      for (const id of set) if (ids.has(id)) set.delete(id);
      if (set.size === 0) this.bySource.delete(source);
    }
  }

  /** How many of the source's alarms are active. */
  activeOf(sourceId: string): number {
    return this.bySource.get(sourceId)?.size ?? 0;
  }
}

/** PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE: the one-standing-alarm index said no. */
export const isUniqueViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
};

/** Stores a transition; `duplicate` when a standing alarm of the same condition is already stored. */
export async function persistAlarm(
  store: Pick<AlarmStore, 'upsert' | 'appendJournal'>,
  log: Logger,
  alarm: Alarm,
  entry: JournalEntry,
): Promise<'stored' | 'duplicate' | 'failed'> {
  try {
    await store.upsert(alarm);
    await store.appendJournal(entry);
    return 'stored';
  } catch (err) {
    if (isUniqueViolation(err)) return 'duplicate';
    log.error({ alarmId: alarm.id, err: (err as Error).message }, 'alarms: alarm not persisted');
    return 'failed';
  }
}
