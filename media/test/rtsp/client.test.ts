import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../../testkit/index.js';
import { type RtspServer, startRtspServer } from '../../../testkit/rtsp.js';
import { RtspClient, type RtspError, UnsupportedStreamError } from '../../src/rtsp/client.js';

function playFor(client: RtspClient) {
  const packets: Buffer[] = [];
  let closedWith: Error | undefined;
  const played = client.play({ rtp: (p) => packets.push(p), closed: (e) => (closedWith = e) });
  return { packets, played, closed: () => closedWith };
}

describe('RtspClient against GStreamer RTSP server', () => {
  let open: RtspServer;
  let digest: RtspServer;
  let basic: RtspServer;
  before(async () => {
    [open, digest, basic] = await Promise.all([
      startRtspServer(),
      startRtspServer({ auth: { method: 'digest', username: 'viewer', password: 's3cr:et' } }),
      startRtspServer({ auth: { method: 'basic', username: 'viewer', password: 'b4sic' } }),
    ]);
  });
  after(async () => {
    await Promise.all([open?.stop(), digest?.stop(), basic?.stop()]);
  });

  it('plays the H.264 track over TCP interleaving and receives RTP', async () => {
    const client = new RtspClient(open.url);
    const s = playFor(client);
    const { sdp, track } = await s.played;
    assert.equal(track.media.encoding, 'H264');
    assert.equal(track.media.clockRate, 90000);
    assert.ok(sdp.media.length >= 1);
    await waitFor(() => s.packets.length >= 30, 10_000);
    for (const p of s.packets.slice(0, 30)) {
      assert.equal(p[0] >> 6, 2, 'RTP version 2');
      assert.equal(p[1] & 0x7f, track.media.payloadType);
    }
    assert.ok(
      s.packets.some((p) => p[1] & 0x80),
      'marker bits end access units',
    );
    await client.close();
    assert.equal(s.closed(), undefined, 'close() is not reported as a loss');
  });

  it('authenticates with Digest and with Basic from URL credentials', async () => {
    for (const [server, creds] of [
      [digest, 'viewer:s3cr%3Aet'],
      [basic, 'viewer:b4sic'],
    ] as const) {
      const client = new RtspClient(server.url.replace('rtsp://', `rtsp://${creds}@`));
      const s = playFor(client);
      await s.played;
      await waitFor(() => s.packets.length >= 5, 10_000);
      await client.close();
    }
  });

  it('rejects with 401 for missing or wrong credentials, without leaking the password', async () => {
    await assert.rejects(new RtspClient(digest.url).play({ rtp() {}, closed() {} }), (e: RtspError) => {
      assert.equal(e.status, 401);
      assert.match(e.message, /DESCRIBE answered 401.*no credentials/);
      return true;
    });
    const wrong = digest.url.replace('rtsp://', 'rtsp://viewer:wrong-pass@');
    await assert.rejects(new RtspClient(wrong).play({ rtp() {}, closed() {} }), (e: RtspError) => {
      assert.equal(e.status, 401);
      assert.doesNotMatch(e.message, /wrong-pass/);
      return true;
    });
  });

  it('reports a camera that goes away while playing', async () => {
    const cam = await startRtspServer();
    const client = new RtspClient(cam.url);
    const s = playFor(client);
    await s.played;
    await waitFor(() => s.packets.length >= 5, 10_000);
    await cam.stop();
    await waitFor(() => s.closed() !== undefined, 10_000);
    assert.match(String(s.closed()?.message), /closed by the camera|ECONNRESET/);
  });

  it('keeps a process alive whose only work is a native pull (batched reads)', async () => {
    // Before: the paused socket and the unref'd read timer left the event loop empty, and such a
    // process (the bench's agent pusher) exited silently once the camera played.
    const script = `import { startNativePull } from '@gwanje/media';
let bytes = 0;
startNativePull(String(process.argv.at(-1)), (b) => { bytes += b.length; });
process.on('SIGTERM', () => { process.stdout.write(String(bytes)); process.exit(0); });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, open.url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    let exitedEarly = false;
    child.once('exit', () => (exitedEarly = true));
    await new Promise((r) => setTimeout(r, 8000));
    assert.equal(exitedEarly, false, 'the pulling process exited on its own');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    assert.ok(Number(out) > 10_000, `bytes relayed: ${out}`);
  });

  it('fails fast and clearly when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const closedPort = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    await assert.rejects(
      new RtspClient(`rtsp://127.0.0.1:${closedPort}/x`).play({ rtp() {}, closed() {} }),
      /ECONNREFUSED/,
    );
  });
});

/** RTP on the negotiated channel 2, RTCP on 3 (counted, not delivered). */
function sendOnePacket(sock: Socket): void {
  const rtp = Buffer.from([0x80, 0xe0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x65, 0x88]);
  sock.write(Buffer.concat([Buffer.from([0x24, 2, 0, rtp.length]), rtp, Buffer.from([0x24, 3, 0, 2, 0x80, 0xc8])]));
}

/** A scripted RTSP server for what GStreamer will not do: odd SDPs, session timeouts. */
async function fakeCamera(sdp: string, sessionTimeoutSec?: number, onPlay = sendOnePacket) {
  const methods: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const method = head.split(' ')[0];
        methods.push(method);
        const cseq = /CSeq: (\d+)/i.exec(head)?.[1];
        const extra: string[] = [];
        let body = '';
        if (method === 'OPTIONS') extra.push('Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER');
        if (method === 'DESCRIBE') {
          body = sdp;
          extra.push('Content-Type: application/sdp', 'Content-Base: rtsp://127.0.0.1/cam/');
        }
        if (method === 'SETUP') {
          extra.push(`Session: ABCD${sessionTimeoutSec ? `;timeout=${sessionTimeoutSec}` : ''}`);
          extra.push('Transport: RTP/AVP/TCP;unicast;interleaved=2-3');
        }
        const lines = ['RTSP/1.0 200 OK', `CSeq: ${cseq}`, ...extra, `Content-Length: ${Buffer.byteLength(body)}`];
        sock.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
        if (method === 'PLAY') onPlay(sock);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `rtsp://127.0.0.1:${port}/cam`,
    methods,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('RtspClient protocol details (scripted camera)', () => {
  it('names what the camera offers when there is no H.264 video', async () => {
    const cam = await fakeCamera('v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\nm=audio 0 RTP/AVP 0\r\n');
    try {
      await assert.rejects(new RtspClient(cam.url).play({ rtp() {}, closed() {} }), (e: Error) => {
        assert.ok(e instanceof UnsupportedStreamError);
        assert.match(e.message, /offered: video\/H265, audio\/0/);
        return true;
      });
    } finally {
      await cam.stop();
    }
  });

  it('uses the interleaved channel the server chose and keeps the session alive with GET_PARAMETER', async () => {
    const cam = await fakeCamera('v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:track1\r\n', 2);
    const client = new RtspClient(cam.url);
    try {
      const s = playFor(client);
      const { track } = await s.played;
      assert.equal(track.rtpChannel, 2);
      await waitFor(() => s.packets.length === 1, 2000);
      assert.equal(client.otherFrames, 1, 'the RTCP frame on channel 3 is not taken for RTP');
      await waitFor(() => cam.methods.includes('GET_PARAMETER'), 3000);
      assert.deepEqual(cam.methods.slice(0, 4), ['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY']);
      await client.close();
      assert.equal(cam.methods.at(-1), 'TEARDOWN');
    } finally {
      await cam.stop();
    }
  });
});

describe('RtspClient batched reads', () => {
  /** A camera that sends `count` RTP packets on channel 2, one every `everyMs`, right after PLAY. */
  function pacedCamera(count: number, everyMs: number) {
    return fakeCamera('v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n', undefined, (sock) => {
      let seq = 0;
      const t = setInterval(() => {
        const rtp = Buffer.from([0x80, 0x60, seq >> 8, seq & 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x41, seq & 0xff]);
        sock.write(Buffer.concat([Buffer.from([0x24, 2, 0, rtp.length]), rtp]));
        if (++seq === count) clearInterval(t);
      }, everyMs);
      sock.once('close', () => clearInterval(t));
    });
  }

  /** Arrival times of every packet, grouped into bursts (arrivals less than 3 ms apart). */
  async function arrivals(readBatchMs: number) {
    const cam = await pacedCamera(60, 5);
    const client = new RtspClient(cam.url, { readBatchMs });
    const seqs: number[] = [];
    const times: number[] = [];
    try {
      await client.play({
        rtp: (p) => {
          seqs.push(p.readUInt16BE(2));
          times.push(performance.now());
        },
        closed() {},
      });
      await waitFor(() => seqs.length === 60, 5000);
    } finally {
      await client.close();
      await cam.stop();
    }
    let bursts = 1;
    for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] >= 3) bursts++;
    return { seqs, bursts };
  }

  it('reads every camera on one timer: packets arrive in bursts per period, none lost or reordered', async () => {
    // 60 packets 5 ms apart (~300 ms): read each 100 ms that is ~4 bursts; read as they come, ~60.
    const batched = await arrivals(100);
    assert.deepEqual(
      batched.seqs,
      Array.from({ length: 60 }, (_, i) => i),
    );
    assert.ok(batched.bursts <= 8, `batched reads came in ${batched.bursts} bursts`);
    const eager = await arrivals(0);
    assert.equal(eager.seqs.length, 60);
    assert.ok(eager.bursts >= 20, `unbatched reads came in only ${eager.bursts} bursts`);
  });
});
