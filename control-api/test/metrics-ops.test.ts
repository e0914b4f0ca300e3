/** Issue 17: the operations metrics read at scrape time from the modules that own the figures. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { type CameraFigures, registerOpsMetrics } from '../src/metrics-ops.js';

test('video per camera, time-series backlog and drops, ML queue, SMS and escalation lateness', async () => {
  const registry = new Registry();
  let cams: CameraFigures[] = [
    {
      ...{ cameraId: 'suwon-cam-1', state: 'live', fps: 15, bitrateBps: 400_000, viewers: 2, restarts: 1 },
      ...{ lastKeyframeAt: 1_800_000_001_500, preRollMs: 19_000, frozen: true, black: false },
    },
    {
      ...{ cameraId: 'ansan-cam-1', state: 'idle', fps: 0, bitrateBps: 0, viewers: 0, restarts: 0 },
      ...{ lastKeyframeAt: null, preRollMs: 0, frozen: false, black: true },
    },
  ];
  let pending = 12;
  const figures = registerOpsMetrics(registry, {
    cameras: () => cams,
    timeseries: { pending: () => pending, dropped: () => 3 },
    ml: () => ({ dropped: 7, backlog: 40 }),
  });
  figures.smsSent('kannel', 0.2);
  figures.smsFailed('smpp', 5);
  figures.stepLate(1500);
  const text = await registry.metrics();
  for (const line of [
    'gwanje_video_camera_state{camera="suwon-cam-1",state="live"} 1',
    'gwanje_video_camera_state{camera="suwon-cam-1",state="lost"} 0',
    'gwanje_video_camera_state{camera="ansan-cam-1",state="idle"} 1',
    'gwanje_video_camera_fps{camera="suwon-cam-1"} 15',
    'gwanje_video_camera_bitrate_bps{camera="suwon-cam-1"} 400000',
    'gwanje_video_camera_viewers{camera="suwon-cam-1"} 2',
    'gwanje_video_camera_restarts_total{camera="suwon-cam-1"} 1',
    // Issue 20: camera health.
    'gwanje_video_camera_last_keyframe_timestamp_seconds{camera="suwon-cam-1"} 1800000001.5',
    'gwanje_video_camera_preroll_seconds{camera="suwon-cam-1"} 19',
    'gwanje_video_camera_frozen{camera="suwon-cam-1"} 1',
    'gwanje_video_camera_frozen{camera="ansan-cam-1"} 0',
    'gwanje_video_camera_black{camera="suwon-cam-1"} 0',
    'gwanje_video_camera_black{camera="ansan-cam-1"} 1',
    'gwanje_timeseries_backlog 12',
    'gwanje_timeseries_dropped_total 3',
    'gwanje_ml_queue_dropped_total 7',
    'gwanje_ml_backlog 40',
    'gwanje_sms_sent_total{provider="kannel"} 1',
    'gwanje_sms_failed_total{provider="smpp"} 1',
    'gwanje_sms_send_seconds_count{provider="smpp",outcome="failed"} 1',
    'gwanje_escalation_lateness_seconds_bucket{le="2"} 1',
  ])
    assert.ok(text.split('\n').includes(line), `missing: ${line}`);
  // Read again at the next scrape, not frozen at the first.
  cams = [];
  pending = 0;
  const next = await registry.metrics();
  assert.ok(!next.includes('suwon-cam-1'));
  assert.ok(next.split('\n').includes('gwanje_timeseries_backlog 0'));
});
