/**
 * A second RTSP server that is not ours (issue 20): VLC's stream output
 * `--sout '#rtp{sdp=rtsp://127.0.0.1:<port>/<path>}'` (Debian vlc-bin + vlc-plugin-base) serving a
 * looped H.264 clip that ffmpeg makes once (640x360, 15 fps, GOP 1 s). VLC's RTSP server sends RTP
 * over UDP only (SETUP with TCP interleaving answers 461), as some VMS do. VLC refuses to run as
 * root: it is started as `nobody` then (setpriv), with the clip in a directory nobody can read.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';
import { spawnServer } from './process.js';
import type { RtspServer } from './rtsp.js';

export async function startVlcRtspServer(opts: { path?: string } = {}): Promise<RtspServer> {
  if (!existsSync('/usr/bin/vlc')) throw new Error('vlc: not installed (apt-get install vlc-bin vlc-plugin-base)');
  const path = (opts.path ?? 'cam').replace(/^\/+/, '');
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-vlc-'));
  chmodSync(dir, 0o755);
  const clip = join(dir, 'clip.mp4');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15', '-t', '10'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15', '-pix_fmt', 'yuv420p', clip],
  ]);
  chmodSync(clip, 0o644);
  const port = await freePort();
  const vlcArgs = [
    ...['-I', 'dummy', '--no-audio', '--loop', clip],
    ...['--sout', `#rtp{sdp=rtsp://127.0.0.1:${port}/${path}}`, '--sout-keep'],
  ];
  const asRoot = process.getuid?.() === 0;
  const server = asRoot
    ? spawnServer('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '/usr/bin/vlc', ...vlcArgs], {
        ...process.env,
        HOME: dir,
      })
    : spawnServer('/usr/bin/vlc', vlcArgs);
  const url = `rtsp://127.0.0.1:${port}/${path}`;
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  await waitFor(() => {
    try {
      execFileSync('ffprobe', ['-v', 'error', '-rw_timeout', '3000000', '-show_entries', 'stream=codec_name', url], {
        timeout: 8000,
      });
      return true;
    } catch {
      return false;
    }
  }, 30_000).catch(async (err: Error) => {
    await stop();
    throw new Error(`vlc: server did not start: ${err.message}\n${server.output()}`);
  });
  return { url, port, stop };
}
