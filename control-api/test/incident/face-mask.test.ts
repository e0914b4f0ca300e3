/**
 * Issue 21 (PIPA): masked evidence shows no detectable face where the source had faces. Real
 * ffmpeg, real detectors (face-api's Tiny Face Detector and SSD MobileNet v1 on tfjs wasm), on a
 * photo of people shipped inside the @vladmandic/face-api npm package and a clip made from it.
 * The check after masking asks SSD MobileNet at a normal confidence (0.5) on every sample.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { FfmpegFaceMasker, maskFilter, PpmSplitter } from '../../src/incident/face-mask.js';

const PHOTO = join(
  dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')),
  'demo/sample2.jpg',
);

test('the mask filter covers each box, enlarged, from the previous sample to the next', () => {
  const f = maskFilter(
    [
      { t: 0, boxes: [] },
      { t: 0.25, boxes: [{ x: 0.5, y: 0.2, w: 0.1, h: 0.2, score: 0.9 }] },
      { t: 0.5, boxes: [] },
    ],
    false,
  );
  assert.equal(
    f,
    "setpts=PTS-STARTPTS,drawbox=x=iw*0.4800:y=ih*0.1600:w=iw*0.1400:h=ih*0.2800:color=gray:t=fill:enable='between(t,0.000,0.750)'",
  );
  // Boxes at the frame's edge are clipped, never negative.
  assert.match(
    maskFilter([{ t: 0, boxes: [{ x: 0, y: 0.9, w: 0.2, h: 0.2, score: 1 }] }], true),
    /x=iw\*0\.0000:y=ih\*0\.8600:.*h=ih\*0\.1400/,
  );
});

test('PPM frames are split across arbitrary chunk boundaries', () => {
  const frame = (w: number, h: number, v: number) =>
    Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), Buffer.alloc(w * h * 3, v)]);
  const all = Buffer.concat([frame(4, 2, 1), frame(3, 3, 2)]);
  const s = new PpmSplitter();
  const got = [];
  for (let i = 0; i < all.length; i += 5) got.push(...s.push(all.subarray(i, i + 5)));
  assert.deepEqual(
    got.map((f) => [f.width, f.height, f.rgb.length, f.rgb[0]]),
    [
      [4, 2, 24, 1],
      [3, 3, 27, 2],
    ],
  );
});

describe('face masking with real detectors', { timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-faces-'));
  const masker = new FfmpegFaceMasker({ ffmpeg: 'ffmpeg', log: pino({ level: 'silent' }) });
  const clip = join(dir, 'clip.mp4');
  before(() => {
    // A 2 s 720p H.264 clip of the photo, as a CCTV clip of people would be.
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-loop',
      '1',
      '-i',
      PHOTO,
      '-t',
      '2',
      '-r',
      '10',
      '-vf',
      'scale=1280:-2',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      clip,
    ]);
  });
  after(async () => {
    await masker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a snapshot with faces: faces found before, none after masking', async () => {
    const before = await masker.detect(PHOTO, true, ['ssd'], 0.5);
    assert.ok(before[0].boxes.length >= 2, `the sample photo shows people (${before[0].boxes.length} faces)`);
    const out = join(dir, 'masked.jpg');
    const r = await masker.maskImage(PHOTO, out);
    assert.ok(r.faces >= before[0].boxes.length);
    const afterMask = await masker.detect(out, true, ['ssd', 'tiny'], 0.5);
    assert.equal(afterMask[0].boxes.length, 0, JSON.stringify(afterMask[0].boxes));
  });

  test('a clip with faces: every sample had faces, no sample has one after masking, still H.264 MP4', async () => {
    const before = await masker.detect(clip, false, ['ssd'], 0.5);
    assert.ok(before.length >= 6 && before.every((s) => s.boxes.length >= 2));
    const out = join(dir, 'masked.mp4');
    await masker.maskVideo(clip, out);
    const afterMask = await masker.detect(out, false, ['ssd'], 0.5);
    assert.ok(afterMask.length >= 6);
    assert.deepEqual(
      afterMask.map((s) => s.boxes.length),
      afterMask.map(() => 0),
    );
    const probe = JSON.parse(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_name,width,height:format=format_name',
        '-of',
        'json',
        out,
      ]).toString(),
    );
    assert.equal(probe.streams[0].codec_name, 'h264');
    assert.equal(probe.streams[0].width, 1280);
    assert.match(probe.format.format_name, /mp4/);
  });
});
