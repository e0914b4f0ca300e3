/**
 * Hostile-input fuzz (issue 9): 10,000 malformed or adversarial HTTP bodies (wrong types, huge
 * numbers, deep nesting, invalid UTF-8, prototype-pollution keys, oversize, broken JSON) against
 * every body-taking route, with and without a token. Every answer must be a 4xx error body,
 * none a 5xx; the server must still answer afterwards and the heap must come back near where
 * it started. Seeded PRNG: a failure reproduces.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createHarness, type Harness } from './harness.js';

const PW = 'fuzz-tower-lamp-88';
const TOTAL = 10_000;
const CONCURRENCY = 16;

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid bodies per route; the fuzzer breaks each one so none stays valid. */
const TARGETS: { path: (h: Harness) => string; valid: Record<string, unknown> }[] = [
  { path: () => '/api/v1/auth/login', valid: { username: 'fuzzer', password: PW } },
  { path: () => '/api/v1/agents', valid: { agentId: 'suwon-agent-9', siteId: 'suwon', name: 'x' } },
  { path: () => '/api/v1/users', valid: { username: 'neo', password: PW, role: 'viewer', sites: ['suwon'] } },
  { path: () => '/api/v1/alarms/t-suwon-1/shelve', valid: { minutes: 30, reason: 'maintenance' } },
  { path: () => '/api/v1/alarms/t-suwon-1/comment', valid: { text: 'crew on site' } },
  { path: () => '/api/v1/alarms/t-suwon-1/out-of-service', valid: { reason: 'replaced' } },
  { path: () => '/api/v1/cameras/suwon-cam-1/ptz', valid: { action: 'move', pan: 0.1 } },
  { path: () => '/api/v1/me/password', valid: { current: PW, password: PW } },
];

const WRONG = [null, true, 0, -1, 1.5, 1e308, -1e308, '', 'x'.repeat(3000), [], [1, 2], {}, { a: 1 }];

function breakBody(rnd: () => number, valid: Record<string, unknown>): { raw: string | Uint8Array; type?: string } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const keys = Object.keys(valid);
  const kind = Math.floor(rnd() * 12);
  switch (kind) {
    case 0: {
      // wrong type for one field (never the same type as the valid value)
      const k = pick(keys);
      const candidates = WRONG.filter(
        (w) => typeof w !== typeof valid[k] || Array.isArray(w) !== Array.isArray(valid[k]),
      );
      return { raw: JSON.stringify({ ...valid, [k]: pick(candidates) }) };
    }
    case 1: // huge or non-finite numbers (JSON.parse turns 1e400 into Infinity)
      return {
        raw: JSON.stringify({ ...valid, [pick(keys)]: 0 }).replace(
          /:0([,}])/,
          `:${pick(['1e400', '-1e400', '123456789012345678901234567890', '1e-400x'])}$1`,
        ),
      };
    case 2: {
      // deep nesting, up to beyond the parser's and the limit's reach
      const depth = pick([17, 100, 5_000, 30_000]);
      return { raw: `{"${pick(keys)}":${'['.repeat(depth)}${']'.repeat(depth)}}` };
    }
    case 3: // invalid UTF-8 inside a string value
      return {
        raw: Buffer.concat([
          Buffer.from(`{"${pick(keys)}":"`),
          Buffer.from([pick([0xff, 0xc0, 0xed, 0xf8]), 0xa0, 0x80]),
          Buffer.from('"}'),
        ]),
      };
    case 4: // prototype pollution keys, top level or nested
      return {
        raw: pick([
          `{"__proto__":{"role":"admin"},${JSON.stringify(valid).slice(1)}`,
          `{"constructor":{"prototype":{"admin":true}},${JSON.stringify(valid).slice(1)}`,
          `{"${pick(keys)}":{"__proto__":{"x":1}}}`,
          `{"prototype":1,${JSON.stringify(valid).slice(1)}`,
        ]),
      };
    case 5: // oversize
      return { raw: JSON.stringify({ ...valid, pad: 'A'.repeat(64 * 1024 + Math.floor(rnd() * 64 * 1024)) }) };
    case 6: {
      // truncated / broken JSON
      const s = JSON.stringify(valid);
      return { raw: s.slice(0, Math.max(1, Math.floor(rnd() * (s.length - 1)))) };
    }
    case 7: // not an object at the root
      return { raw: pick(['null', '[]', '"text"', '42', 'true', '[{"a":1}]']) };
    case 8: // unknown extra key
      return { raw: JSON.stringify({ ...valid, [`x${Math.floor(rnd() * 1e6)}`]: 1 }) };
    case 9: {
      // a required key missing
      const copy = { ...valid };
      delete copy[pick(keys.filter((k) => k !== 'name' && k !== 'pan'))];
      return { raw: JSON.stringify(copy) };
    }
    case 10: // wrong content type
      return {
        raw: JSON.stringify(valid).replace(/"/g, ''),
        type: pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']),
      };
    default: // lone surrogates and control characters in strings, plus a wrong-typed field
      return { raw: `{"${pick(keys)}":"\\ud800\\u0000","${pick(keys)}":${pick(['{}', '[]', 'null'])}}` };
  }
}

/** Malformed query strings and path ids for the GET routes (each one invalid by construction). */
const BAD_GETS = [
  '/api/v1/sensors?siteId=SUWON',
  '/api/v1/sensors?siteId=suwon&siteId=osan',
  '/api/v1/sensors?siteId[__proto__]=x',
  '/api/v1/sensors/..%2F..%2Fetc%2Fpasswd/readings',
  '/api/v1/sensors/%E0%A4%A/readings',
  '/api/v1/sensors/suwon-ch4-1/readings?from=1e400',
  '/api/v1/sensors/suwon-ch4-1/readings?from=-5&to=3',
  '/api/v1/sensors/suwon-ch4-1/readings?step=0',
  '/api/v1/sensors/suwon-ch4-1/readings?from=1763900000000&to=1763800000000',
  '/api/v1/alarms?state=unack,burning',
  '/api/v1/alarms?limit=99999999999999999999',
  '/api/v1/alarms?from=0x10',
  '/api/v1/alarms/%00',
  '/api/v1/alarms/' + 'a'.repeat(300),
  '/api/v1/kpis?siteId=%ff%fe',
  '/api/v1/audit?action=DROP%20TABLE',
  '/api/v1/audit?from=NaN',
];

function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('HTTP fuzz', () => {
  let h: Harness;
  let token: string;
  before(async () => {
    h = await createHarness();
    await h.seedDevices(['suwon']);
    await h.newAlarm('suwon', 'acked');
    await h.auth.users.create({ username: 'fuzzer', password: PW, role: 'admin', sites: ['*'] }, 'test', null);
    token = await h.login('fuzzer', PW);
  });
  after(() => h.close());

  test(`${TOTAL} malformed bodies and 1,000 malformed queries: all 4xx with an error body, no 5xx, server alive, heap back near baseline`, {
    timeout: 240_000,
  }, async () => {
    const gc = collectGarbage();
    // Warm-up outside the measured window: first requests allocate caches that stay.
    for (const path of BAD_GETS) await h.call('GET', path, { token });
    const rnd = mulberry32(0x6a77616e);
    gc();
    const baseline = process.memoryUsage().heapUsed;
    const byStatus = new Map<number, number>();
    const bad: string[] = [];
    let sent = 0;
    const worker = async (): Promise<void> => {
      while (sent < TOTAL) {
        sent += 1;
        const target = TARGETS[Math.floor(rnd() * TARGETS.length)];
        const { raw, type } = breakBody(rnd, target.valid);
        // One in eight without a token: 401 (or the login route's own 4xx) must hold too.
        const withToken = rnd() > 0.125;
        const r = await h.call('POST', target.path(h), {
          raw,
          token: withToken ? token : undefined,
          headers: type ? { 'content-type': type } : {},
        });
        byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
        const code = (r.json as { error?: { code?: unknown } } | undefined)?.error?.code;
        if (r.status < 400 || r.status >= 500 || typeof code !== 'string') {
          if (bad.length < 10)
            bad.push(
              `${r.status} ${target.path(h)} ${Buffer.from(raw).toString('utf8').slice(0, 100)} -> ${r.text.slice(0, 200)}`,
            );
        }
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    for (let i = 0; i < 1000; i++) {
      const path = BAD_GETS[i % BAD_GETS.length];
      const r = await h.call('GET', path, { token });
      const code = (r.json as { error?: { code?: unknown } } | undefined)?.error?.code;
      if (r.status < 400 || r.status >= 500 || typeof code !== 'string')
        bad.push(`${r.status} GET ${path} -> ${r.text.slice(0, 200)}`);
    }
    const ms = performance.now() - t0;
    gc();
    await new Promise((r) => setTimeout(r, 50));
    gc();
    const grown = process.memoryUsage().heapUsed - baseline;
    const summary = [...byStatus]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    console.log(
      `fuzz: ${TOTAL} requests in ${(ms / 1000).toFixed(1)} s (${summary}); heap ${(grown / 1048576).toFixed(1)} MB over baseline`,
    );
    assert.deepEqual(bad, []);
    assert.equal(
      [...byStatus.values()].reduce((a, b) => a + b, 0),
      TOTAL,
    );
    assert.equal((await h.call('GET', '/healthz')).status, 200);
    assert.equal((await h.call('GET', '/api/v1/me', { token })).status, 200);
    assert.equal(({} as Record<string, unknown>).role, undefined);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
    assert.ok(grown < 24 * 1048576, `heap grew ${(grown / 1048576).toFixed(1)} MB`);
    // Nothing valid slipped through: no fuzz-made user or agent exists.
    assert.equal(await h.repos.users.get('neo'), undefined);
    assert.equal(await h.repos.agents.get('suwon-agent-9'), undefined);
  });
});
