/**
 * Issue 17 "Video on a fresh machine": which ffmpeg the center runs when none is on PATH, and the
 * address rewrite the npm-shipped static build needs (it segfaults resolving a host name).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { onPath, resolveFfmpeg, shippedFfmpeg } from '../src/ffmpeg-binary.js';

test('ffmpeg on PATH wins; a PATH without one falls back to the build shipped in npm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-path-'));
  try {
    assert.equal(resolveFfmpeg(undefined, dir).source, 'npm');
    const npm = resolveFfmpeg(undefined, dir).path;
    assert.equal(npm, shippedFfmpeg());
    // The shipped binary really runs, and has what the simulator and snapshots use.
    const encoders = execFileSync(npm, ['-hide_banner', '-encoders']).toString();
    assert.match(encoders, /libx264/);
    assert.match(encoders, /mjpeg/);
    writeFileSync(join(dir, 'ffmpeg'), '#!/bin/sh\n');
    chmodSync(join(dir, 'ffmpeg'), 0o755);
    assert.deepEqual(resolveFfmpeg(undefined, dir), { path: join(dir, 'ffmpeg'), source: 'PATH' });
    assert.equal(onPath(`/nonexistent:${dir}`), join(dir, 'ffmpeg'));
    assert.deepEqual(resolveFfmpeg('/opt/ffmpeg/bin/ffmpeg', dir), {
      path: '/opt/ffmpeg/bin/ffmpeg',
      source: 'GWANJE_FFMPEG',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
