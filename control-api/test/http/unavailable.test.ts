/**
 * Issue 19: refusals that are nobody's input error answer 503/502 with a reason the console
 * translates, never 500: no instance owns the site (`no-owner`, Retry-After), an edge agent that is
 * offline (`agent-offline`) or does not answer (`agent-no-answer`), an agent that refused (502).
 * Through the center's own error handler on a real HTTP server.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import express from 'express';
import pino from 'pino';
import { CommandError } from '../../src/broker/commands.js';
import { NoOwnerError } from '../../src/cluster/ownership.js';
import { errorHandler } from '../../src/http/errors.js';

const thrown: Record<string, Error> = {
  owner: new NoOwnerError('suwon', 5),
  offline: new CommandError('offline', 'suwon-agent-1', 'agent suwon-agent-1 is offline; ptz not sent'),
  silent: new CommandError('no-answer', 'suwon-agent-1', 'commands: ptz.stop to suwon-agent-1 got no result'),
  refused: new CommandError('refused', 'suwon-agent-1', 'commands: ptz.stop failed on suwon-agent-1: busy'),
};

let base = '';
let server: ReturnType<ReturnType<typeof express>['listen']>;
before(async () => {
  const app = express();
  app.get('/:what', (req, _res, next) => next(thrown[req.params.what]));
  app.use(errorHandler(pino({ level: 'silent' })));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const get = async (what: string) => {
  const r = await fetch(`${base}/${what}`);
  return {
    status: r.status,
    retryAfter: r.headers.get('retry-after'),
    body: (await r.json()) as { error: Record<string, unknown> },
  };
};

test('no owner: 503 unavailable, reason no-owner with the site, Retry-After', async () => {
  const r = await get('owner');
  assert.equal(r.status, 503);
  assert.equal(r.retryAfter, '5');
  assert.equal(r.body.error.code, 'unavailable');
  assert.equal(r.body.error.reason, 'no-owner');
  assert.deepEqual(r.body.error.params, { siteId: 'suwon' });
});

test('an agent offline or silent: 503 with its reason and the agent; a refusal: 502', async () => {
  for (const [what, reason] of [
    ['offline', 'agent-offline'],
    ['silent', 'agent-no-answer'],
  ]) {
    const r = await get(what as string);
    assert.equal(r.status, 503, what);
    assert.ok(Number(r.retryAfter) > 0, `${what}: Retry-After`);
    assert.equal(r.body.error.reason, reason);
    assert.deepEqual(r.body.error.params, { agentId: 'suwon-agent-1' });
  }
  const refused = await get('refused');
  assert.equal(refused.status, 502);
  assert.equal(refused.body.error.code, 'agent-error');
});
