/**
 * Direct cameras end to end (issue 20), the whole center through its own entry against RTSP
 * servers that are not ours: GStreamer's RTSP server with Basic and with Digest auth, and VLC's
 * (`#rtp{sdp=rtsp://...}`, RTP over UDP only: the native client falls back to ffmpeg). An admin
 * registers each camera with its credentials (never shown back, logged or audited), several
 * viewers watch it over ONE RTSP session counted at the server, ffprobe reads the relayed bytes as
 * H.264; the server dies -> camera-loss alarm, comes back -> the camera is live again.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { jsonApi, waitFor } from '../../../testkit/index.js';
import { type RtspServer, rtspConnections, startRtspServer } from '../../../testkit/rtsp.js';
import { startVlcRtspServer } from '../../../testkit/vlc.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'Direct-Cameras-Test-9';
const CAM_PASSWORD = 'c@m:S3cret!';

interface Viewer {
  ws: WebSocket;
  bytes: Buffer[];
  total(): number;
}

function openViewer(base: string, cameraId: string, token: string): Viewer {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/video/${cameraId}?token=${token}`);
  const bytes: Buffer[] = [];
  ws.on('message', (m: Buffer) => bytes.push(Buffer.from(m)));
  ws.on('error', () => undefined);
  return { ws, bytes, total: () => bytes.reduce((n, b) => n + b.length, 0) };
}

function probe(file: string): { codec: string; width: number; height: number } {
  const out = execFileSync('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height',
    '-of',
    'json',
    file,
  ]).toString();
  const s = (JSON.parse(out) as { streams: { codec_name: string; width: number; height: number }[] }).streams[0];
  return { codec: s.codec_name, width: s.width, height: s.height };
}

describe('direct cameras (POST /api/v1/cameras) against real RTSP servers', () => {
  let c: TestCenter;
  let vlc: RtspServer;
  let token = '';
  const plain = jsonApi(() => c.base);
  // A keep-alive connection the server closed while a slow camera started is reset on reuse: the
  // request never reached the center, so it is sent once more.
  const api: typeof plain = async (...args) => {
    try {
      return await plain(...args);
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw err;
      return plain(...args);
    }
  };

  before(async () => {
    // VLC takes seconds to start: before the center, so no idle keep-alive socket goes stale meanwhile.
    vlc = await startVlcRtspServer();
    c = await startTestCenter({ password: PASSWORD });
    const login = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, {
      username: 'admin',
      password: PASSWORD,
    });
    token = login.body.token;
  });
  after(async () => {
    await c?.stop();
    await vlc?.stop();
  });

  const alarmsOf = async (cameraId: string) =>
    (await api<{ sourceId: string; type: string; state: string }[]>('GET', '/api/v1/alarms', token)).body.filter(
      (a) => a.sourceId === cameraId,
    );

  for (const method of ['basic', 'digest'] as const) {
    it(`GStreamer with ${method} auth: register, 3 viewers on one session, ffprobe, loss and recovery`, async () => {
      const cam = await startRtspServer({ auth: { method, username: 'viewer', password: CAM_PASSWORD } });
      const cameraId = `gst-${method}`;
      let server = cam;
      try {
        const created = await api<Record<string, unknown>>('POST', '/api/v1/cameras', token, {
          cameraId,
          siteId: 'suwon',
          name: `VMS channel (${method})`,
          rtspUrl: cam.url,
          username: 'viewer',
          password: CAM_PASSWORD,
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.equal(created.body.source, 'direct');
        assert.equal(created.body.hasCredentials, true);
        assert.doesNotMatch(JSON.stringify(created.body), /S3cret/);
        const listed = await api<Record<string, unknown>[]>('GET', '/api/v1/cameras?siteId=suwon', token);
        const row = listed.body.find((x) => x.cameraId === cameraId);
        assert.equal(row?.source, 'direct');
        assert.equal(row?.rtspUrl, cam.url);

        const viewers = [0, 1, 2].map(() => openViewer(c.base, cameraId, token));
        await waitFor(() => viewers.every((v) => v.total() > 100_000), 30_000);
        assert.equal(rtspConnections(cam.port), 1, 'one RTSP session at the camera for three viewers');
        const file = join(c.dataDir, `${cameraId}.ts`);
        writeFileSync(file, Buffer.concat(viewers[1].bytes));
        assert.deepEqual(probe(file), { codec: 'h264', width: 640, height: 360 });

        // The camera dies: camera-loss; it comes back on the same port: live again, alarm returns.
        await cam.stop();
        await waitFor(async () => (await alarmsOf(cameraId)).some((a) => a.type === 'camera-loss'), 30_000);
        server = await startRtspServer({
          port: cam.port,
          auth: { method, username: 'viewer', password: CAM_PASSWORD },
        });
        await waitFor(async () => {
          const got = await api<{ cameraId: string; state: string }[]>('GET', '/api/v1/cameras?siteId=suwon', token);
          return got.body.find((x) => x.cameraId === cameraId)?.state === 'live';
        }, 60_000);
        const loss = (await alarmsOf(cameraId)).find((a) => a.type === 'camera-loss');
        assert.ok(loss && loss.state !== 'unack', `camera-loss returned to normal (${loss?.state})`);
        for (const v of viewers) v.ws.close();
      } finally {
        await server.stop();
      }
      // Credentials appear nowhere an operator or a local user can read them.
      const audit = await api<unknown[]>('GET', '/api/v1/audit?action=camera.create', token);
      assert.equal(audit.status, 200);
      assert.match(JSON.stringify(audit.body), new RegExp(cameraId));
      assert.doesNotMatch(JSON.stringify(audit.body), /S3cret/);
      for (const f of readdirSync(c.dataDir).filter((n) => n.startsWith('gwanje.db')))
        assert.equal(readFileSync(join(c.dataDir, f)).includes(Buffer.from('S3cret')), false, `sealed at rest (${f})`);
    });
  }

  it('VLC (RTP over UDP only): the native client hands the camera to ffmpeg, viewers get H.264', async () => {
    {
      const created = await api('POST', '/api/v1/cameras', token, {
        cameraId: 'vlc-cam',
        siteId: 'suwon',
        rtspUrl: vlc.url,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const viewers = [0, 1].map(() => openViewer(c.base, 'vlc-cam', token));
      await waitFor(() => viewers.every((v) => v.total() > 50_000), 45_000);
      const file = join(c.dataDir, 'vlc.ts');
      writeFileSync(file, Buffer.concat(viewers[0].bytes));
      assert.equal(probe(file).codec, 'h264');
      // ffmpeg may be between two sessions when VLC ends its loop (RTCP BYE) and the relay reconnects:
      // watch for a few seconds; there must be a session, and never two for the two viewers.
      const seen: number[] = [];
      const until = Date.now() + 5000;
      while (Date.now() < until && !(seen.includes(1) && seen.length >= 10)) {
        seen.push(rtspConnections(vlc.port));
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(Math.max(...seen), 1, `one RTSP session at VLC for two viewers (sampled ${seen.join(',')})`);
      for (const v of viewers) v.ws.close();
    }
  });

  it('refuses bad bodies naming the field, other sites, duplicates; PATCH and DELETE', async () => {
    const bad = await api<{ error: { field: string } }>('POST', '/api/v1/cameras', token, {
      cameraId: 'x1',
      siteId: 'suwon',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'rtspUrl');
    const both = await api<{ error: { field: string } }>('POST', '/api/v1/cameras', token, {
      cameraId: 'x1',
      siteId: 'suwon',
      rtspUrl: 'http://not-rtsp/',
    });
    assert.equal(both.status, 400);
    assert.equal(both.body.error.field, 'rtspUrl');
    const noSite = await api<{ error: { field: string } }>('POST', '/api/v1/cameras', token, {
      cameraId: 'x1',
      siteId: 'atlantis',
      rtspUrl: 'rtsp://10.0.0.1/x',
    });
    assert.equal(noSite.status, 400);
    assert.equal(noSite.body.error.field, 'siteId');
    const ok = await api('POST', '/api/v1/cameras', token, {
      cameraId: 'x1',
      siteId: 'suwon',
      rtspUrl: 'rtsp://op:inline-pw@10.0.0.1/ch1',
    });
    assert.equal(ok.status, 201);
    assert.doesNotMatch(JSON.stringify(ok.body), /inline-pw/);
    const dup = await api('POST', '/api/v1/cameras', token, { cameraId: 'x1', siteId: 'suwon', rtspUrl: 'rtsp://h/x' });
    assert.equal(dup.status, 409);
    const patched = await api<Record<string, unknown>>('PATCH', '/api/v1/cameras/x1', token, { name: 'Gate 1' });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, 'Gate 1');
    assert.equal(patched.body.hasCredentials, true, 'credentials kept when not given');
    // A suwon-only admin cannot register in ansan.
    const user = await api('POST', '/api/v1/users', token, {
      username: 'suwon-admin',
      password: 'Correct-Horse-Battery-9',
      role: 'admin',
      sites: ['suwon'],
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const sa = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, {
      username: 'suwon-admin',
      password: 'Correct-Horse-Battery-9',
    });
    assert.equal(sa.status, 200, JSON.stringify(sa.body));
    const foreign = await api('POST', '/api/v1/cameras', sa.body.token, {
      cameraId: 'x2',
      siteId: 'ansan',
      rtspUrl: 'rtsp://h/x',
    });
    assert.equal(foreign.status, 403);
    assert.equal((await api('DELETE', '/api/v1/cameras/x1', token)).status, 204);
    assert.equal((await api('DELETE', '/api/v1/cameras/x1', token)).status, 404);
  });

  it('imports a VMS channel list as CSV: all rows or none, each problem with its line', async () => {
    const post = (csv: string) =>
      fetch(`${c.base}/api/v1/cameras/import?siteId=osan`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        body: csv,
      });
    const bad = await post(
      'cameraId,name,rtspUrl,username,password\r\n' +
        'osan-ch1,"Gate, east",rtsp://10.1.0.5:554/ch1,op,pw1\r\n' +
        'Bad Id,x,rtsp://10.1.0.5:554/ch2,,\r\n' +
        'osan-ch3,y,ftp://10.1.0.5/ch3,,\r\n',
    );
    assert.equal(bad.status, 400);
    const badBody = (await bad.json()) as { error: { rows: { line: number; field: string }[] } };
    assert.deepEqual(
      badBody.error.rows.map((r) => [r.line, r.field]),
      [
        [3, 'cameraId'],
        [4, 'rtspUrl'],
      ],
    );
    const none = await api<{ cameraId: string }[]>('GET', '/api/v1/cameras?siteId=osan', token);
    assert.equal(none.body.length, 0, 'nothing half-imported');
    const good = await post(
      '\uFEFFcamera_id,name,rtsp_url,username,password\n' +
        'osan-ch1,"Gate, east",rtsp://10.1.0.5:554/ch1,op,pw1\n' +
        'osan-ch2,"Yard ""B""",rtsp://10.1.0.5:554/ch2,,\n',
    );
    assert.equal(good.status, 201, await good.clone().text());
    assert.deepEqual(await good.json(), { imported: 2, cameras: ['osan-ch1', 'osan-ch2'] });
    const listed = await api<{ cameraId: string; name: string; hasCredentials: boolean }[]>(
      'GET',
      '/api/v1/cameras?siteId=osan',
      token,
    );
    assert.deepEqual(
      listed.body.map((x) => [x.cameraId, x.name, x.hasCredentials]),
      [
        ['osan-ch1', 'Gate, east', true],
        ['osan-ch2', 'Yard "B"', false],
      ],
    );
  });
});
