/**
 * Input for an ffmpeg child the launcher helper runs (launcher.ts, issue 18): a Unix socket in a
 * private directory (0700, under the OS temp dir) that ffmpeg connects to with its `unix:` protocol.
 * What is written before ffmpeg connects is kept until it does (a fraction of a second of video).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SocketInput {
  /** `unix:<path>` is ffmpeg's input. */
  path: string;
  /** The private directory the socket lives in (free for the child's output files too). */
  dir: string;
  write(b: Buffer): void;
  end(): void;
  /** Closes the socket and removes the directory with whatever is in it. */
  close(): Promise<void>;
}

export async function socketInput(): Promise<SocketInput> {
  const dir = await mkdtemp(join(tmpdir(), 'gwanje-ffmpeg-'));
  const path = join(dir, 'in.sock');
  let conn: Socket | undefined;
  let queued: Buffer[] = [];
  let ended = false;
  const server = createServer((c) => {
    if (conn) return c.destroy();
    conn = c;
    // ffmpeg closing its input early (it failed) is reported by its exit code.
    c.on('error', () => undefined);
    for (const b of queued) c.write(b);
    queued = [];
    if (ended) c.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    path,
    dir,
    write: (b) => {
      if (ended) return;
      if (conn) conn.write(b);
      else queued.push(b);
    },
    end: () => {
      ended = true;
      conn?.end();
    },
    close: async () => {
      queued = [];
      conn?.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
