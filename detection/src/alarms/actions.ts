/**
 * Operator actions on a standing alarm (CONTRACT "HTTP": ack, shelve, unshelve, reset, comment;
 * plus out-of-service / return-to-service, ISA-18.2 clause 11.3 states G-I). Each valid action
 * returns the transitions to journal (who, when, why); an invalid one throws AlarmActionError:
 * 'not-found' (no standing alarm with that id), 'invalid-state' (the state does not allow it),
 * 'bad-args' (missing or out-of-range arguments).
 */
import type { Alarm } from '@gwanje/protocol';
import { type ActionArgs, type AlarmAction, AlarmActionError, type Transition } from '../types.js';
import type { AlarmStateMachine } from './state-machine.js';

const ACTIONS: ReadonlySet<string> = new Set<AlarmAction>([
  'ack',
  'shelve',
  'unshelve',
  'reset',
  'comment',
  'out-of-service',
  'return-to-service',
]);
const MAX_TEXT = 1000;

function text(v: unknown, field: string, required: boolean): string | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new AlarmActionError('bad-args', `${field} is required`);
  if (v.length > MAX_TEXT) throw new AlarmActionError('bad-args', `${field} is longer than ${MAX_TEXT} characters`);
  return v;
}

function invalid(a: Alarm, action: string, why = ''): AlarmActionError {
  return new AlarmActionError('invalid-state', `cannot ${action} alarm ${a.id} in state ${a.state}${why}`);
}

export function act(
  sm: AlarmStateMachine,
  alarmId: string,
  action: string,
  actor: string,
  now: number,
  args: ActionArgs = {},
): Transition[] {
  if (!ACTIONS.has(action)) throw new AlarmActionError('bad-args', `unknown action '${action}'`);
  if (typeof actor !== 'string' || actor === '') throw new AlarmActionError('bad-args', 'actor is required');
  const a = sm.byId.get(alarmId);
  if (!a) throw new AlarmActionError('not-found', `no standing alarm ${alarmId}`);
  switch (action) {
    case 'ack': {
      const comment = text(args.comment, 'comment', false);
      const stamp = (): void => {
        a.ackedAt = now;
        a.ackedBy = actor;
      };
      if (a.state === 'unack') {
        stamp();
        return [sm.move(a, 'acked', 'ack', actor, now, true, comment)];
      }
      if (a.state === 'rtn-unack') {
        stamp();
        return [sm.move(a, 'normal', 'ack', actor, now, true, comment)];
      }
      if (a.state === 'latched' && a.ackedAt === undefined) {
        // Acknowledged but still held: only reset releases a latched alarm (ISA-18.2 11.3, state E).
        stamp();
        return [sm.move(a, 'latched', 'ack', actor, now, true, comment)];
      }
      throw invalid(a, 'ack', a.ackedAt !== undefined ? ' (already acknowledged)' : '');
    }
    case 'shelve': {
      const minutes = args.minutes;
      if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0) {
        throw new AlarmActionError('bad-args', 'minutes must be a positive number');
      }
      if (minutes > sm.maxShelveMinutes) {
        throw new AlarmActionError('bad-args', `minutes must be at most ${sm.maxShelveMinutes}`);
      }
      const reason = text(args.reason, 'reason', true);
      if (a.state === 'shelved' || a.state === 'out-of-service') throw invalid(a, 'shelve');
      a.shelvedUntil = now + Math.round(minutes * 60_000);
      sm.shelved.add(a.id);
      return [sm.move(a, 'shelved', 'shelve', actor, now, true, reason)];
    }
    case 'unshelve':
      if (a.state !== 'shelved') throw invalid(a, 'unshelve');
      return [sm.restore(a, 'unshelve', actor, now, text(args.comment, 'comment', false))];
    case 'reset': {
      if (a.state !== 'latched') {
        const why = a.active ? ' (the condition is still active)' : ' (only a latched alarm can be reset)';
        throw invalid(a, 'reset', why);
      }
      if (a.ackedAt === undefined) {
        a.ackedAt = now; // reset implies acknowledgement
        a.ackedBy = actor;
      }
      return [sm.move(a, 'normal', 'reset', actor, now, true, text(args.comment, 'comment', false))];
    }
    case 'comment': {
      const body = text(args.text ?? args.comment, 'text', true);
      return [sm.move(a, a.state, 'comment', actor, now, true, body)];
    }
    case 'out-of-service': {
      if (a.state === 'out-of-service') throw invalid(a, 'take out of service');
      const reason = text(args.reason ?? args.comment, 'reason', true);
      delete a.shelvedUntil;
      sm.shelved.delete(a.id);
      return [sm.move(a, 'out-of-service', 'out-of-service', actor, now, true, reason)];
    }
    default: {
      if (a.state !== 'out-of-service') throw invalid(a, 'return to service');
      return [sm.restore(a, 'return-to-service', actor, now, text(args.comment, 'comment', false))];
    }
  }
}
