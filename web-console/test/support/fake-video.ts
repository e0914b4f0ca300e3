/**
 * Stand-in for the gateway's `/video/{cameraId}?token=` (CONTRACT "Video") until the real center
 * runs the console test: each viewer gets a real H.264 MPEG-TS stream from ffmpeg's test source
 * over a WebSocket, so the browser's mpegts.js/MSE path is exercised for real.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type http from 'node:http';
import { WebSocketServer } from 'ws';

export interface FakeVideo {
  viewers(): number;
  stop(): void;
}

export function attachFakeVideo(server: http.Server, tokenOk: (token: string | null) => boolean): FakeVideo {
  const wss = new WebSocketServer({ noServer: true });
  const procs = new Set<ChildProcess>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/video\/([a-z0-9][a-z0-9-]{0,62})$/.exec(url.pathname);
    if (!m) return; // socket.io handles its own upgrades on the same server
    if (!tokenOk(url.searchParams.get('token'))) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const ff = spawn(
        'ffmpeg',
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-re',
          '-f',
          'lavfi',
          '-i',
          'testsrc=size=320x180:rate=15',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-tune',
          'zerolatency',
          '-g',
          '15',
          '-pix_fmt',
          'yuv420p',
          '-f',
          'mpegts',
          'pipe:1',
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
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
    stop: () => {
      for (const p of procs) p.kill('SIGKILL');
      wss.close();
    },
  };
}
