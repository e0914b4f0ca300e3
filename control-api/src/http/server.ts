/**
 * The center's listening server: plain HTTP by default, HTTPS when a certificate and key are
 * configured (issue 9 "Optional TLS"). One server carries the API, the console, Socket.IO and
 * /video, so TLS here covers all of them. Minimum TLS 1.2 (RFC 8996 deprecates 1.0/1.1).
 */
import { readFileSync } from 'node:fs';
import { createServer as createPlainServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';

export interface TlsFiles {
  /** PEM certificate chain (GWANJE_TLS_CERT suggested). */
  certFile: string;
  /** PEM private key (GWANJE_TLS_KEY suggested). */
  keyFile: string;
}

/**
 * No limit on the time to receive a whole request: an agent's video push (POST /video/ingest) is one
 * chunked request that lasts as long as the camera streams, and Node's default (300 s) cut every
 * push after five minutes, which raised camera-loss and restarted it (issue 23: fire-watch cameras
 * are watched all the time). `headersTimeout` stays 60 s (Node derives it from requestTimeout,
 * so it is set explicitly): a client slow to send its headers is still dropped.
 */
const SERVER_OPTIONS = { requestTimeout: 0, headersTimeout: 66_000 };

/**
 * Idle keep-alive connections are kept longer than a client or proxy keeps them (browsers, undici:
 * 4-5 s; load balancers: 60 s), so the client always closes first. With Node's 5 s the server could
 * close a socket just as a client reused it, and that request failed with ECONNRESET (seen in the
 * HTTP fuzz test on a loaded machine). headersTimeout stays above it, as Node requires.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function createCenterServer(handler: RequestListener, tls?: TlsFiles): Server {
  const server = createListeningServer(handler, tls);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

function createListeningServer(handler: RequestListener, tls?: TlsFiles): Server {
  if (!tls) return createPlainServer(SERVER_OPTIONS, handler);
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(tls.certFile);
    key = readFileSync(tls.keyFile);
  } catch (err) {
    throw new Error(`http: cannot read TLS certificate or key: ${(err as Error).message}`);
  }
  // https.Server extends tls.Server, which Node types apart from http.Server; the request/upgrade
  // API that express, socket.io and ws use is the same.
  return createTlsServer({ ...SERVER_OPTIONS, cert, key, minVersion: 'TLSv1.2' }, handler) as unknown as Server;
}
