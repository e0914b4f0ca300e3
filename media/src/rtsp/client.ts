/**
 * A minimal RTSP 1.0 client (RFC 2326) for pulling one camera's video track over TCP with
 * interleaved RTP: OPTIONS, DESCRIBE (with Basic or Digest authentication), SETUP, PLAY, periodic
 * keep-alive, TEARDOWN. It exists so the gateway can relay RTSP cameras without an ffmpeg process
 * per camera (issue 6: <= 1/40 of a transcoder's CPU per stream); the bytes are copied, never
 * decoded. Credentials in the URL are used for authentication and never sent or logged as a URL.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Slab } from '../slab.js';
import { Authenticator, pickChallenge } from './auth.js';
import { drain, socketFd, ticker } from './batched-read.js';
import { InterleavedReader, type RtspMessage } from './reader.js';
import { controlUrl, parseSdp, type SdpMedia, type SessionDescription } from './sdp.js';

export interface RtspClientOptions {
  /** Per request, and for the TCP connect (default 10 s). */
  timeoutMs?: number;
  userAgent?: string;
  /** Keep-alive period when the server names no session timeout (default 25 s). */
  keepaliveMs?: number;
  /**
   * While playing, read the socket every this many ms, in step with every other camera, instead of
   * as each packet arrives (batched-read.ts; default 20, 0 reads as data arrives). rtsps:// reads
   * as data arrives.
   */
  readBatchMs?: number;
}

export interface RtspTrack {
  media: SdpMedia;
  /** Interleaved channel of the track's RTP (RTCP is `rtpChannel + 1`). */
  rtpChannel: number;
}

export interface RtspHandlers {
  /** The track chosen, before PLAY is sent (RTP can follow the PLAY answer in the same chunk). */
  track?(track: RtspTrack): void;
  /** One RTP packet of the track. The buffer is not reused by the client. */
  rtp(packet: Buffer): void;
  /** The session ended: the socket closed, a keep-alive failed or the stream was malformed. */
  closed(err: Error): void;
}

/**
 * The client cannot relay this camera: no H.264 video track (H.265, MJPEG: `reason` codec), or
 * the server sends RTP over UDP only (SETUP with TCP interleaving answered 461: `reason`
 * transport). Callers fall back to ffmpeg.
 */
export class UnsupportedStreamError extends Error {
  readonly code = 'rtsp-unsupported';
  constructor(
    message: string,
    readonly reason: 'codec' | 'transport' = 'codec',
  ) {
    super(message);
  }
}

export class RtspError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(msg: RtspMessage): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** `rtsp://user:pass@host/path` -> request URL without credentials, and the credentials. */
export function splitCredentials(url: string): { url: string; username?: string; password?: string } {
  const u = new URL(url);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.username = '';
  u.password = '';
  return { url: u.toString(), username, password };
}

/**
 * The URL with these credentials as its userinfo (percent-encoded), for a client that reads them
 * from there (RtspClient, ffmpeg through an ffconcat list). ONVIF Core 5.12.1: a stream URI from
 * GetStreamUri carries none, and RTSP uses the same credentials as the device's web services.
 * Credentials already in the URL win.
 */
export function withCredentials(url: string, creds: { username: string; password: string } | undefined): string {
  if (!creds || creds.username === '') return url;
  const u = new URL(url);
  if (u.username !== '') return url;
  u.username = encodeURIComponent(creds.username);
  u.password = encodeURIComponent(creds.password);
  return u.toString();
}

export class RtspClient {
  private socket: Socket | undefined;
  private readonly reader: InterleavedReader;
  private cseq = 0;
  private readonly pending = new Map<number, Pending>();
  private auth: Authenticator | undefined;
  private session: string | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private keepaliveMethod = 'OPTIONS';
  private track: RtspTrack | undefined;
  private handlers: RtspHandlers | undefined;
  private ended = false;
  private readonly slab = new Slab();
  private secure = false;
  /** While playing: the shared ticker that reads this socket, and this client's poller on it. */
  private batchedOn: ReturnType<typeof ticker> | undefined;
  private poller: (() => void) | undefined;
  private readonly url: string;
  private readonly creds?: { username: string; password: string };
  private readonly timeoutMs: number;
  /** Packets on channels other than the track's RTP (RTCP sender reports...). */
  otherFrames = 0;

  constructor(
    url: string,
    private readonly opts: RtspClientOptions = {},
  ) {
    const split = splitCredentials(url);
    this.url = split.url;
    if (split.username !== undefined) this.creds = { username: split.username, password: split.password ?? '' };
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.reader = new InterleavedReader({
      frame: (channel, packet) => {
        if (this.track && channel === this.track.rtpChannel) this.handlers?.rtp(packet);
        else this.otherFrames++;
      },
      message: (msg) => this.onMessage(msg),
    });
  }

  /**
   * Connects, describes, sets up the first H.264 video track and plays it. Resolves once PLAY is
   * answered; RTP then flows to `handlers.rtp`. Rejects (and closes) on any failure.
   */
  async play(handlers: RtspHandlers): Promise<{ sdp: SessionDescription; track: RtspTrack }> {
    try {
      await this.connect();
      const options = await this.request('OPTIONS', this.url);
      const methods = (options.headers.get('public')?.join(',') ?? '').toUpperCase();
      if (/\bGET_PARAMETER\b/.test(methods)) this.keepaliveMethod = 'GET_PARAMETER';
      const described = await this.request('DESCRIBE', this.url, { accept: 'application/sdp' });
      const sdp = parseSdp(described.body.toString('utf8'));
      const base = stripCreds(
        described.headers.get('content-base')?.[0] ?? described.headers.get('content-location')?.[0] ?? this.url,
      );
      const media = sdp.media.find((m) => m.type === 'video' && m.encoding === 'H264');
      if (!media) {
        const offered = sdp.media.map((m) => `${m.type}/${m.encoding || m.payloadType}`).join(', ') || 'nothing';
        throw new UnsupportedStreamError(`rtsp: no H.264 video track (offered: ${offered})`);
      }
      const setupUrl = controlUrl(controlUrl(base, sdp.control), media.control);
      const setup = await this.request('SETUP', setupUrl, {
        transport: 'RTP/AVP/TCP;unicast;interleaved=0-1',
      }).catch((err: RtspError) => {
        // RFC 2326 §11.3.10 461 Unsupported transport: a server that streams over UDP only.
        if (err.status === 461) throw new UnsupportedStreamError(`rtsp: ${err.message} (UDP only)`, 'transport');
        throw err;
      });
      const sessionHeader = setup.headers.get('session')?.[0];
      if (!sessionHeader) throw new RtspError('rtsp: SETUP answer has no Session header');
      const [id, ...params] = sessionHeader.split(';');
      this.session = id.trim();
      const timeoutParam = params.map((p) => /^\s*timeout\s*=\s*(\d+)/i.exec(p)).find((m) => m);
      const transport = setup.headers.get('transport')?.[0] ?? '';
      if (!/RTP\/AVP\/TCP/i.test(transport)) {
        throw new RtspError(`rtsp: server refused TCP interleaving (Transport: ${transport})`);
      }
      const inter = /interleaved=(\d+)/i.exec(transport);
      const track: RtspTrack = { media, rtpChannel: inter ? Number(inter[1]) : 0 };
      // Frames may arrive right after the PLAY answer, in the same chunk: be ready before asking.
      this.track = track;
      this.handlers = handlers;
      handlers.track?.(track);
      const playUrl = controlUrl(base, sdp.control);
      await this.request('PLAY', playUrl, { range: 'npt=0.000-' });
      this.startBatchedReads();
      const serverTimeoutMs = timeoutParam ? Number(timeoutParam[1]) * 1000 : 0;
      const period = serverTimeoutMs > 0 ? Math.max(1000, serverTimeoutMs / 2) : (this.opts.keepaliveMs ?? 25_000);
      this.keepalive = setInterval(() => this.sendKeepalive(playUrl), period);
      this.keepalive.unref?.();
      return { sdp, track };
    } catch (err) {
      this.handlers = undefined;
      this.destroy(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  /** TEARDOWN (best effort, short wait), then closes the connection. */
  async close(): Promise<void> {
    if (this.ended) return;
    if (this.session && this.socket && !this.socket.destroyed) {
      await Promise.race([
        this.request('TEARDOWN', this.url).catch(() => undefined),
        new Promise((r) => setTimeout(r, 500).unref?.()),
      ]);
    }
    this.handlers = undefined;
    this.destroy(new Error('rtsp: closed'));
  }

  private connect(): Promise<void> {
    const u = new URL(this.url);
    const secure = u.protocol === 'rtsps:';
    if (!secure && u.protocol !== 'rtsp:') throw new RtspError(`rtsp: unsupported scheme ${u.protocol}`);
    const port = Number(u.port) || (secure ? 322 : 554);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    this.secure = secure;
    return new Promise((resolve, reject) => {
      const s = secure
        ? tlsConnect({ host, port, servername: host })
        : netConnect({
            host,
            port,
            onread: { buffer: () => this.slab.next(), callback: (n, region) => this.onRead(n, region as Buffer) },
          });
      this.socket = s;
      s.setNoDelay(true);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new RtspError(`rtsp: connect to ${host}:${port} timed out`));
      }, this.timeoutMs);
      s.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve();
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(new RtspError(`rtsp: ${host}:${port}: ${err.message}`));
        this.destroy(err);
      });
      if (secure) s.on('data', (chunk: Buffer) => this.feed(chunk));
      s.once('close', () => this.destroy(new RtspError('rtsp: connection closed by the camera')));
    });
  }

  /** net.Socket onread (the handshake, and always for rtsps): `n` bytes landed in `region`. */
  private onRead(n: number, region: Buffer): boolean {
    this.feed(this.slab.take(region, n));
    return true;
  }

  /** Takes the playing socket off the event loop; the shared ticker reads it (batched-read.ts). */
  private startBatchedReads(): void {
    const periodMs = this.opts.readBatchMs ?? 20;
    const s = this.socket;
    const fd = s && !this.secure ? socketFd(s) : undefined;
    if (periodMs <= 0 || !s || fd === undefined) return;
    s.pause();
    const chunk = (b: Buffer) => this.feed(b);
    this.poller = () => {
      if (this.ended) return;
      // Node closes the fd inside destroy() but reports 'close' later: never read a number that
      // may already belong to another file.
      if (s.destroyed || socketFd(s) !== fd) {
        this.destroy(new RtspError('rtsp: connection closed'));
        return;
      }
      const r = drain(fd, this.slab, chunk);
      if (r === 'eof') this.destroy(new RtspError('rtsp: connection closed by the camera'));
      else if (r !== 'ok') this.destroy(new RtspError(`rtsp: read failed: ${r.message}`));
    };
    this.batchedOn = ticker(periodMs);
    this.batchedOn.add(this.poller);
  }

  private feed(chunk: Buffer): void {
    try {
      this.reader.push(chunk);
    } catch (err) {
      this.destroy(err as Error);
    }
  }

  private async request(method: string, url: string, headers: Record<string, string> = {}): Promise<RtspMessage> {
    let res = await this.send(method, url, headers);
    if (res.status === 401 && this.creds && !headers.authorization) {
      const challenge = pickChallenge(res.msg.headers.get('www-authenticate') ?? []);
      if (challenge) {
        this.auth = new Authenticator(challenge, this.creds);
        res = await this.send(method, url, headers);
      }
    }
    if (res.status < 200 || res.status > 299) {
      const reason = res.msg.startLine.replace(/^RTSP\/\d\.\d\s*/, '');
      throw new RtspError(
        `rtsp: ${method} answered ${reason}${res.status === 401 && !this.creds ? ' (no credentials in the URL)' : ''}`,
        res.status,
      );
    }
    return res.msg;
  }

  private send(
    method: string,
    url: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; msg: RtspMessage }> {
    const s = this.socket;
    if (!s || s.destroyed || this.ended) return Promise.reject(new RtspError('rtsp: not connected'));
    const cseq = ++this.cseq;
    const lines = [
      `${method} ${url} RTSP/1.0`,
      `CSeq: ${cseq}`,
      `User-Agent: ${this.opts.userAgent ?? 'gwanje-gateway'}`,
    ];
    if (this.session) lines.push(`Session: ${this.session}`);
    if (this.auth) lines.push(`Authorization: ${this.auth.header(method, url)}`);
    for (const [k, v] of Object.entries(headers)) lines.push(`${headerCase(k)}: ${v}`);
    s.write(`${lines.join('\r\n')}\r\n\r\n`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cseq);
        reject(new RtspError(`rtsp: ${method} got no answer in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(cseq, {
        resolve: (msg) => resolve({ status: Number(msg.startLine.split(' ')[1]), msg }),
        reject,
        timer,
      });
    });
  }

  private onMessage(msg: RtspMessage): void {
    const cseq = Number(msg.headers.get('cseq')?.[0]);
    if (!msg.startLine.startsWith('RTSP/')) {
      // A request from the server (some cameras send OPTIONS or GET_PARAMETER as their own
      // keep-alive): answer it so they keep the session.
      this.socket?.write(`RTSP/1.0 200 OK\r\nCSeq: ${Number.isFinite(cseq) ? cseq : 0}\r\n\r\n`);
      return;
    }
    const p = this.pending.get(cseq);
    if (!p) return;
    this.pending.delete(cseq);
    clearTimeout(p.timer);
    p.resolve(msg);
  }

  private sendKeepalive(url: string): void {
    this.request(this.keepaliveMethod, url).catch((err: Error) => {
      // A server that lists GET_PARAMETER but rejects it still answers OPTIONS.
      if (err instanceof RtspError && err.status !== undefined && this.keepaliveMethod !== 'OPTIONS') {
        this.keepaliveMethod = 'OPTIONS';
        return;
      }
      this.destroy(new RtspError(`rtsp: keep-alive failed: ${err.message}`));
    });
  }

  private destroy(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    if (this.keepalive) clearInterval(this.keepalive);
    if (this.poller) this.batchedOn?.delete(this.poller);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.socket?.destroy();
    const h = this.handlers;
    this.handlers = undefined;
    h?.closed(err);
  }
}

function stripCreds(url: string): string {
  return /^[a-z]+:\/\/[^/]*@/i.test(url) ? splitCredentials(url).url : url;
}

function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
}
