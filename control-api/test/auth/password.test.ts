import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from '../../src/auth/password.js';

describe('scrypt password hashing', () => {
  test('a hash verifies its password, not another, and carries its parameters and a per-user salt', async () => {
    const a = await hashPassword('tunnel-sensor-7731');
    const b = await hashPassword('tunnel-sensor-7731');
    assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b, 'same password, different salt');
    assert.equal(await verifyPassword('tunnel-sensor-7731', a), true);
    assert.equal(await verifyPassword('tunnel-sensor-7732', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  test('old hashes with other parameters keep verifying', async () => {
    const cheap = await hashPassword('rotated-every-90-days', { N: 2 ** 10, r: 8, p: 1 });
    assert.match(cheap, /^scrypt\$1024\$/);
    assert.equal(await verifyPassword('rotated-every-90-days', cheap), true);
  });

  test('a malformed or tampered stored hash is a plain mismatch, never a throw or a huge allocation', async () => {
    for (const bad of ['', 'plain', 'scrypt$32768$8$1$x$y', 'scrypt$1073741824$8$1$AAAAAAAAAAA$AAAA', 'bcrypt$...']) {
      assert.equal(await verifyPassword('whatever-password', bad), false, bad);
    }
  });

  test('generated passwords are 32 url-safe characters and differ', () => {
    const a = generatePassword();
    assert.match(a, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a, generatePassword());
    assert.equal(passwordProblem(a, 'admin'), undefined);
  });
});

describe('password policy', () => {
  const cases: [string, string, RegExp | undefined][] = [
    ['short-pw', 'kim', /at least 12/],
    ['x'.repeat(257), 'kim', /at most 256/],
    ['kimoperator99', 'kimoperator', /username/],
    ['KIMOPERATOR1', 'kimoperator', /username/],
    ['Password1234', 'kim', /too common/],
    ['1q2w3e4r5t6y', 'kim', /too common/],
    ['abababababab', 'kim', /4 different/],
    ['gas-leak-at-gate-3', 'kim', undefined],
    ['수원시관제센터비밀번호입니다', 'kim', undefined],
  ];
  for (const [pw, user, want] of cases) {
    test(`${JSON.stringify(pw.slice(0, 20))} for ${user}`, () => {
      const got = passwordProblem(pw, user);
      if (want) assert.match(got ?? '', want);
      else assert.equal(got, undefined);
    });
  }
});
