import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentMayUse, agentTopic, parseTopic, sharedFilter } from '../src/topics.js';

describe('topic map', () => {
  it('builds and parses every agent topic', () => {
    for (const kind of ['telemetry', 'status', 'cameras', 'sensors', 'events', 'cmd', 'cmdResult', 'config'] as const) {
      const t = agentTopic('suwon', 'a-1', kind);
      assert.deepEqual(parseTopic(t), { scope: 'agent', kind, siteId: 'suwon', agentId: 'a-1' });
    }
    assert.equal(agentTopic('suwon', 'a-1', 'cmdResult'), 'gwanje/v1/suwon/a-1/cmd/result');
  });

  it('rejects wildcards and traversal', () => {
    for (const t of [
      'gwanje/v1/+/a/telemetry',
      'gwanje/v1/suwon/#',
      'gwanje/v1/../a/telemetry',
      'sensors/',
      'sensors/a/b',
    ]) {
      assert.equal(parseTopic(t), undefined, t);
    }
  });

  it('an agent may publish uplink and subscribe downlink only under its own prefix', () => {
    const table: Array<[string, 'publish' | 'subscribe', boolean]> = [
      ['gwanje/v1/suwon/a1/telemetry', 'publish', true],
      ['gwanje/v1/suwon/a1/status', 'publish', true],
      ['gwanje/v1/suwon/a1/cmd/result', 'publish', true],
      ['gwanje/v1/suwon/a1/sensors', 'publish', true],
      ['gwanje/v1/suwon/a1/cmd', 'publish', false],
      ['gwanje/v1/suwon/a1/config', 'publish', false],
      ['gwanje/v1/suwon/a1/cmd', 'subscribe', true],
      ['gwanje/v1/suwon/a1/config', 'subscribe', true],
      ['gwanje/v1/suwon/a1/telemetry', 'subscribe', false],
      ['gwanje/v1/suwon/a2/telemetry', 'publish', false],
      ['gwanje/v1/anyang/a1/telemetry', 'publish', false],
      ['gwanje/v1/suwon/a1/#', 'subscribe', false],
      ['gwanje/v1/+/+/cmd', 'subscribe', false],
    ];
    for (const [topic, op, allowed] of table)
      assert.equal(agentMayUse('suwon', 'a1', topic, op), allowed, `${op} ${topic}`);
  });

  it('shared subscription filter', () => {
    assert.equal(sharedFilter('gwanje-api', 'gwanje/v1/+/+/telemetry'), '$share/gwanje-api/gwanje/v1/+/+/telemetry');
  });
});
