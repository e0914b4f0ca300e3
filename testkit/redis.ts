/**
 * A real Redis 7 for a test (issue 19: Socket.IO across instances). Its own `redis-server` on a
 * free port when the binary is installed (Debian package redis-server), nothing kept on disk;
 * otherwise the machine's Redis at GWANJE_TEST_REDIS (default redis://127.0.0.1:6379) with a
 * throwaway database index, flushed on stop.
 */
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort, waitFor } from './ports.js';
import { spawnServer } from './process.js';

export interface RedisInstance {
  url: string;
  stop(): Promise<void>;
}

const SHARED_REDIS = process.env.GWANJE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const REDIS_BINARIES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

/** One RESP command over a fresh connection (FLUSHDB on the shared server; no client library needed). */
function command(url: string, args: string[]): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = createConnection(Number(u.port || 6379), u.hostname);
    let out = '';
    sock.setTimeout(5000, () => sock.destroy(new Error('redis: no answer in 5 s')));
    sock.on('error', reject);
    sock.on('data', (b) => {
      out += b.toString();
      // Two replies: SELECT's, then the command's.
      if (out.split('\r\n').length > 2) {
        sock.end();
        resolve(out.trim());
      }
    });
    const db = u.pathname.replace('/', '') || '0';
    const frame = (a: string[]) => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`;
    sock.write(frame(['SELECT', db]) + frame(args));
  });
}

export async function startRedis(): Promise<RedisInstance> {
  const bin = REDIS_BINARIES.find((b) => existsSync(b));
  if (bin) {
    const port = await freePort();
    const server = spawnServer(bin, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    const url = `redis://127.0.0.1:${port}`;
    await waitFor(async () => (await command(url, ['PING'])).includes('PONG'), 10_000, 50).catch((err: Error) => {
      throw new Error(`redis-server did not start: ${err.message}\n${server.output()}`);
    });
    return { url, stop: () => server.stop() };
  }
  // No binary: a database index of the shared server nobody else in this process uses.
  const url = `${SHARED_REDIS.replace(/\/\d*$/, '')}/${8 + (process.pid % 8)}`;
  await command(url, ['FLUSHDB']);
  return { url, stop: async () => void (await command(url, ['FLUSHDB'])) };
}
