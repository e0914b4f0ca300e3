import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OnCallRoster } from '@gwanje/protocol/schemas/routes.js';
import { maskPhone, onDutyNow } from '../../src/oncall/logic.js';

test('phone numbers: middle digits hidden for viewers, full for supervisors', () => {
  assert.equal(maskPhone('010-1234-5678', false), '010-****-5678');
  assert.equal(maskPhone('+82 10 1234 5678', false), '+82 1* **** 5678');
  assert.equal(maskPhone('010-1234-5678', true), '010-1234-5678');
  assert.equal(maskPhone('112', false), '112');
});

test('rosters: the on-duty list has no duplicates', () => {
  const kim = { id: 'c1', name: 'Kim', phone: '010', lang: 'ko' };
  const lee = { id: 'c2', name: 'Lee', phone: '011', lang: 'en' };
  const rosters: OnCallRoster[] = [
    { roster: 'a', duty: [{ role: 'supervisor', source: 'shift', contacts: [kim, lee], until: 5 }] },
    { roster: 'b', duty: [{ role: 'supervisor', source: 'override', contacts: [kim] }] },
    { roster: 'c', duty: [{ role: 'fire-liaison', source: 'none', contacts: [] }] },
  ];
  assert.deepEqual(
    onDutyNow(rosters).map((d) => [d.role, d.contact.name, d.until]),
    [
      ['supervisor', 'Kim', 5],
      ['supervisor', 'Lee', 5],
    ],
  );
});
