/**
 * Stand-in for the gateway's `/video/{cameraId}?ticket=` (CONTRACT "Video") until the real center
 * runs the console test: each viewer gets a real H.264 MPEG-TS stream from ffmpeg's test source
 * over a WebSocket, so the browser's mpegts.js/MSE path is exercised for real; `format=mpeg1`
 * gets MPEG-1 video in MPEG-TS (what the gateway serves JSMpeg players).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type http from 'node:http';
import { WebSocketServer } from 'ws';

export interface FakeVideo {
  viewers(): number;
  /** Connections that asked for `format=mpeg1` (JSMpeg players). */
  mpeg1Viewers(): number;
  stop(): void;
}

export function attachFakeVideo(
  server: http.Server,
  allowed: (query: URLSearchParams, cameraId: string) => boolean,
): FakeVideo {
  const wss = new WebSocketServer({ noServer: true });
  const procs = new Set<ChildProcess>();
  let mpeg1Viewers = 0;
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/video\/([a-z0-9][a-z0-9-]{0,62})$/.exec(url.pathname);
    if (!m) return; // socket.io handles its own upgrades on the same server
    if (!allowed(url.searchParams, m[1])) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    if (url.searchParams.get('format') === 'webrtc') {
      // No WebRTC here: tiles fall back to MSE, as with a gateway or network that refuses it.
      socket.end('HTTP/1.1 501 Not Implemented\r\n\r\n');
      return;
    }
    const mpeg1 = url.searchParams.get('format') === 'mpeg1';
    const codec = mpeg1
      ? ['-c:v', 'mpeg1video', '-b:v', '800k', '-r', '25', '-bf', '0']
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-pix_fmt', 'yuv420p'];
    const source = `testsrc=size=320x180:rate=${mpeg1 ? 25 : 15}`;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', source, ...codec];
      const ff = spawn('ffmpeg', [...args, '-f', 'mpegts', 'pipe:1'], { stdio: ['ignore', 'pipe', 'inherit'] });
      if (mpeg1) mpeg1Viewers += 1;
      procs.add(ff);
      ff.stdout?.on('data', (chunk: Buffer) => {
        if (ws.readyState === ws.OPEN) ws.send(chunk);
      });
      ff.on('exit', () => {
        procs.delete(ff);
        ws.close();
      });
      ws.on('close', () => ff.kill('SIGKILL'));
    });
  });
  return {
    viewers: () => procs.size,
    mpeg1Viewers: () => mpeg1Viewers,
    stop: () => {
      for (const p of procs) p.kill('SIGKILL');
      wss.close();
    },
  };
}
