import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, contentVersion } from '../src/canonical.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined, keeps array order, no whitespace', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, 1, { z: true, y: null }], c: 'x' }, u: undefined }),
      '{"a":{"c":"x","d":[3,1,{"y":null,"z":true}]},"b":1}',
    );
    assert.equal(canonicalJson({ 한: '가', a: 'é"\n' }), '{"a":"é\\"\\n","한":"가"}');
  });

  it('refuses values JSON cannot carry', () => {
    assert.throws(() => canonicalJson({ v: Number.NaN }), /canonical: non-finite number/);
    assert.throws(() => canonicalJson({ f: () => 1 }), /canonical: cannot encode function/);
  });

  it('content version ignores key order and the version field, changes with content', () => {
    const a = contentVersion({ siteId: 's', agentId: 'a', version: 'old' });
    assert.equal(a, contentVersion({ agentId: 'a', siteId: 's' }));
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.notEqual(a, contentVersion({ agentId: 'a', siteId: 't' }));
  });
});
