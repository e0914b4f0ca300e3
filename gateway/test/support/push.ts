import { request } from 'node:http';
import { request as tlsRequest } from 'node:https';

export interface Push {
  /** Resolves with the HTTP status once the gateway answers (or the socket closes). */
  status: Promise<number>;
  write(data: Buffer): boolean;
  end(): void;
  destroy(): void;
}

/** A chunked HTTP POST to the ingest endpoint, as an edge agent's ffmpeg makes it (`ca` for https). */
export function startPush(base: string, cameraId: string, authorization?: string, ca?: Buffer): Push {
  const url = `${base}/video/ingest/${cameraId}`;
  const opts = {
    method: 'POST',
    headers: { 'content-type': 'video/mp2t', ...(authorization ? { authorization } : {}) },
  };
  const req = url.startsWith('https:') ? tlsRequest(url, { ...opts, ca }) : request(url, opts);
  const status = new Promise<number>((resolve) => {
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', () => resolve(-1));
    req.once('close', () => resolve(-1));
  });
  req.flushHeaders();
  return { status, write: (d) => req.write(d), end: () => req.end(), destroy: () => req.destroy() };
}

/** Writes `data` to a push in `chunkBytes` pieces spread over `seconds`, as a live encoder would. */
export async function pacedWrite(push: Push, data: Buffer, seconds: number, chunkBytes = 188 * 40): Promise<void> {
  const chunks = Math.ceil(data.length / chunkBytes);
  for (let i = 0; i < chunks; i++) {
    push.write(data.subarray(i * chunkBytes, (i + 1) * chunkBytes));
    await new Promise((r) => setTimeout(r, (seconds * 1000) / chunks));
  }
}
