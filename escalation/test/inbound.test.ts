/**
 * F16 (security review 2026-12): an SMS "ACK <code>" acknowledges only as a real user who may
 * acknowledge that site, from the phone on that user's record, with a 6-digit per-alarm code that
 * cannot be guessed by SMS (wrong-code limit per sender), and is audited as alarm.ack. The
 * escalation service on a real SQLite database, replies fed to its inbound path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WRONG_CODE_LIMIT } from '../src/inbound.js';
import { EscalationService } from '../src/service.js';
import { gasAlarm, log, openTestDb, roster, sites, T_MONDAY_10_KST } from './support.js';

describe('SMS acknowledgements', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let svc: EscalationService;
  let now = T_MONDAY_10_KST;
  const acks: Array<[string, string]> = [];
  const audited: Array<{ actor: string; action: string; target: string }> = [];
  /** Users on record: kim may ack everywhere from 010-1111-0001; lee is a viewer. */
  const users: Record<string, { mayAck: boolean; phone: string }> = {
    kim: { mayAck: true, phone: '01011110001' },
    lee: { mayAck: false, phone: '01011110002' },
  };
  const codes = [123_456, 654_321, 111_111];
  const reply = (from: string, text: string) => svc.onInbound({ provider: 'kannel', from, to: '1588', text });

  before(async () => {
    db = await openTestDb('sqlite');
    svc = new EscalationService({
      db: db.db,
      providers: [],
      log,
      now: () => now,
      randomInt: () => codes.shift() ?? 999_999,
      ackAlarm: async (alarmId, actor) => {
        acks.push([alarmId, actor]);
      },
      site: (id) => sites[id],
      isFlood: () => false,
      userMayAck: async (u, _site, phone) => users[u]?.mayAck === true && users[u].phone === phone,
      audit: async (ev) => {
        audited.push(ev);
      },
    });
    await svc.start({ timer: false });
    await svc.setRosters([
      {
        ...roster,
        contacts: [
          ...roster.contacts.map((c) => (c.id === 'lee' ? { ...c, username: 'lee' } : c)),
          // A contact who names kim but texts from another phone (the impersonation of the review).
          { id: 'fake', name: 'not kim', phone: '010-9999-8888', lang: 'ko', username: 'kim' },
        ],
      },
    ]);
    for (const id of ['al-1', 'al-2', 'al-3']) await svc.onAlarm(gasAlarm(id, now));
  });
  after(async () => {
    await svc.stop();
    await db.close();
  });

  test('F16: a reply acks as the user the contact names, only from their phone and if they may; audited', async () => {
    assert.equal(await reply('010-1111-0002', 'ACK 123456'), 'user-may-not-ack', 'lee is a viewer');
    assert.equal(await reply('010-9999-8888', 'ACK 123456'), 'user-may-not-ack', "not the phone on kim's record");
    assert.equal(await reply('+82 10-1111-0004', 'ACK 123456'), 'no-user', 'choi names no user');
    assert.equal(await reply('010-5555-0000', 'ACK 123456'), 'unknown-sender');
    assert.deepEqual(acks, []);
    assert.equal(await reply('010-1111-0001', '확인 123456'), 'acked');
    assert.deepEqual(acks, [['al-1', 'kim']]);
    assert.deepEqual(
      audited.map((a) => [a.actor, a.action, a.target]),
      [['kim', 'alarm.ack', 'al-1']],
    );
  });

  test('F16: codes are per alarm and six digits; a sender with too many wrong codes is ignored', async () => {
    const sender = '010-1111-0001';
    for (let i = 0; i < WRONG_CODE_LIMIT; i++) assert.equal(await reply(sender, `ACK 00000${i}`), 'wrong-code');
    assert.equal(await reply(sender, 'ACK 654321'), 'sender-throttled', 'even the right code, for an hour');
    assert.equal(acks.length, 1);
    assert.equal(await reply(sender, 'ACK 6543'), 'unparsed', 'four digits are not a code');
    now += 60 * 60_000 + 1;
    assert.equal(await reply(sender, 'ACK 654321'), 'acked');
    assert.deepEqual(acks.at(-1), ['al-2', 'kim']);
  });
});
