/** A stand-in for the gateway's `POST /video/ingest/{cameraId}`: records pushes, answers 401/403 on demand. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IngestPush {
  cameraId: string;
  authorization?: string;
  transferEncoding?: string;
  bytes: Buffer[];
  size: number;
  ended: boolean;
  req: IncomingMessage;
}

export interface IngestServer {
  base: string;
  pushes: IngestPush[];
  /** Status to answer new pushes with (200 keeps reading). */
  status: number;
  close(): Promise<void>;
}

export async function startIngest(): Promise<IngestServer> {
  const state: IngestServer = { base: '', pushes: [], status: 200, close: async () => {} };
  const server = createServer((req, res) => {
    const m = /^\/video\/ingest\/([a-z0-9-]+)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) {
      res.writeHead(404).end();
      return;
    }
    if (state.status !== 200) {
      res.writeHead(state.status).end();
      req.destroy();
      return;
    }
    const push: IngestPush = {
      cameraId: m[1],
      authorization: req.headers.authorization,
      transferEncoding: req.headers['transfer-encoding'],
      bytes: [],
      size: 0,
      ended: false,
      req,
    };
    state.pushes.push(push);
    req.on('data', (b: Buffer) => {
      if (push.size < 4 * 1024 * 1024) push.bytes.push(b);
      push.size += b.length;
    });
    const done = () => {
      push.ended = true;
      if (!res.headersSent) res.writeHead(200).end();
    };
    req.on('end', done);
    req.on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return state;
}

/** MPEG-TS framing check: sync byte 0x47 every 188 bytes over the first `packets` packets. */
export function isMpegTs(buf: Buffer, packets = 50): boolean {
  if (buf.length < 188 * packets) return false;
  for (let i = 0; i < packets; i += 1) if (buf[i * 188] !== 0x47) return false;
  return true;
}
