/**
 * Issue 17: the virtual camera loops a test clip encoded once (no live encoder per camera), so 31
 * simulated cameras fit on a 2-core machine.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ffmpegArgs } from '../../src/cameras/stream.js';
import { TEST_CLIP_NAME, testClip } from '../../src/cameras/test-clip.js';

test('the test clip is encoded once per directory, H.264 640x360 with 1 s GOPs, and looped with -c copy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-clip-'));
  try {
    // Thirty agents asking at once share one encode.
    const files = await Promise.all(Array.from({ length: 30 }, () => testClip('ffmpeg', dir)));
    assert.ok(files.every((f) => f === join(dir, TEST_CLIP_NAME)));
    const made = statSync(files[0]).mtimeMs;
    assert.equal(await testClip('ffmpeg', dir), files[0]);
    assert.equal(statSync(files[0]).mtimeMs, made, 'not encoded again');
    const probe = execFileSync('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-count_packets'],
      ...['-show_entries', 'stream=codec_name,width,height,nb_read_packets', '-of', 'csv=p=0', files[0]],
    ])
      .toString()
      .trim()
      .split('\n')[0];
    assert.equal(probe, 'h264,640,360,150');
    const flags = execFileSync('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', files[0]],
    ]).toString();
    assert.equal(flags.split('\n').filter((f) => f.startsWith('K')).length, 10, 'a keyframe every second');
    const args = ffmpegArgs({ clip: files[0] });
    assert.deepEqual(args.slice(args.indexOf('-re'), args.indexOf('-re') + 10), [
      ...['-re', '-stream_loop', '-1', '-i', files[0], '-map', '0:v:0', '-c', 'copy'],
      '-f',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a clip that cannot be made is an error the push falls back from (no ffmpeg here)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-clip-'));
  try {
    await assert.rejects(testClip('/nonexistent/ffmpeg', dir), /virtual camera: encoding the test clip failed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
