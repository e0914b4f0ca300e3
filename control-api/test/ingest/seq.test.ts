/**
 * Security review F7, the pure parts: the seq tracker refuses impossible seqs, judges a replayed
 * or restarted sequence by its readings (the pipeline) and re-bases, forgets an agent on new
 * credentials and drops a poisoned seq stored by an older center; the duplicate watch flags an
 * agent whose messages are all dropped.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateWatch, MAX_SEQ_AHEAD, SeqTracker } from '../../src/ingest/seq.js';

const NOW = 1_800_000_000_000;

describe('SeqTracker', () => {
  test('F7: a seq beyond the clock plus 1e9 is refused and not recorded; later messages are new', () => {
    const s = new SeqTracker();
    assert.equal(s.accept('a', NOW, NOW), 'new');
    assert.equal(s.accept('a', Number.MAX_SAFE_INTEGER, NOW), 'ahead');
    assert.equal(s.accept('a', NOW + MAX_SEQ_AHEAD + 1, NOW), 'ahead');
    assert.equal(s.lastSeq('a'), NOW);
    assert.equal(s.accept('a', NOW + 1, NOW), 'new');
    // Agents numbering from 1 (tests, the bench) are fine too.
    assert.equal(s.accept('b', 1, NOW), 'new');
  });

  test('F7: a seq at or below the last one is a replay until re-based', () => {
    const s = new SeqTracker();
    s.accept('a', 500, NOW);
    assert.deepEqual(
      [500, 499, 3].map((q) => s.accept('a', q, NOW)),
      ['replay', 'replay', 'replay'],
    );
    s.rebase('a', 3);
    assert.equal(s.accept('a', 4, NOW), 'new');
    assert.deepEqual(s.takeDirty(), new Map([['a', 4]]));
  });

  test('F7: a poisoned seq stored before is dropped at load; forget (new credentials) judges by readings', () => {
    const s = new SeqTracker();
    s.load(
      new Map([
        ['poisoned', Number.MAX_SAFE_INTEGER],
        ['fine', NOW - 5],
      ]),
      NOW,
    );
    assert.equal(s.lastSeq('poisoned'), undefined);
    assert.equal(s.lastSeq('fine'), NOW - 5);
    assert.equal(s.takeDirty().get('poisoned'), -1, 'the poisoned value is overwritten in the store');
    assert.equal(s.accept('poisoned', 7, NOW), 'replay', 'judged by its readings until re-based');
    s.forget('fine');
    assert.equal(s.accept('fine', NOW + 100, NOW), 'replay');
    s.rebase('fine', NOW + 100);
    assert.equal(s.accept('fine', NOW + 101, NOW), 'new');
  });
});

describe('DuplicateWatch', () => {
  test('F7: flags an agent after N whole-duplicate messages in a row; an accepted one clears it', () => {
    const w = new DuplicateWatch(3);
    assert.deepEqual(
      [w.duplicate('a'), w.duplicate('a'), w.duplicate('a'), w.duplicate('a')],
      [false, false, true, false],
    );
    assert.equal(w.count, 1);
    assert.equal(w.accepted('b'), false);
    assert.equal(w.accepted('a'), true);
    assert.equal(w.count, 0);
    assert.equal(w.duplicate('a'), false, 'the streak starts again');
  });
});
