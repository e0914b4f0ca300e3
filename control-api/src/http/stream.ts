/**
 * Streams generated text or bytes to a response with backpressure: the next chunk is produced
 * only when the socket has taken the last one, so a month of readings needs the memory of one
 * batch. A client that goes away stops the generator (its `finally` blocks run).
 */
import { once } from 'node:events';
import type { Response } from 'express';

export async function streamChunks(
  res: Response,
  headers: Record<string, string>,
  chunks: AsyncIterable<string | Buffer>,
): Promise<void> {
  const it = chunks[Symbol.asyncIterator]();
  // The first chunk is produced before the status line: an error there is still a JSON error.
  const first = await it.next();
  res.status(200);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  try {
    for (let r = first; !r.done; r = await it.next()) {
      if (res.destroyed) break;
      if (!res.write(r.value)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  } catch (err) {
    // Headers are gone: the only honest signal left is a cut connection (no valid end of file).
    res.destroy(err as Error);
    return;
  } finally {
    await it.return?.();
  }
  res.end();
}

/** `attachment; filename=...` with an RFC 6266 / RFC 5987 UTF-8 variant for non-ASCII names. */
export function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
