/**
 * ONVIF device simulator (issue 5): SOAP 1.2 on node:http implementing what the `onvif` client
 * calls (device: GetSystemDateAndTime, GetServices, GetCapabilities, GetDeviceInformation;
 * media: GetProfiles, GetVideoSources, GetStreamUri, GetSnapshotUri; PTZ: ContinuousMove, Stop,
 * GotoPreset, GetPresets; events: CreatePullPointSubscription, PullMessages, Renew, Unsubscribe)
 * plus WS-Discovery Probe on UDP 3702. Video comes from a real RTSP URL (testkit/rtsp.ts), so
 * the stream URI it hands out plays. Test fixture and the demo's virtual camera.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as soap from './soap.js';

export interface OnvifSimOptions {
  rtspUrl: string;
  name?: string;
  username?: string;
  password?: string;
  ptz?: boolean;
  /** Serve an event service (default true); false answers event calls ActionNotSupported. */
  events?: boolean;
  /** Answer WS-Discovery probes on 239.255.255.250:3702 (default false). */
  discovery?: boolean;
  /** How long PullMessages waits for an event before answering empty (default 1000 ms). */
  pullHoldMs?: number;
  port?: number;
}

export interface PtzState {
  moving: boolean;
  velocity: { x: number; y: number; zoom: number };
  preset?: string;
  moves: number;
  stops: number;
}

export interface OnvifSimulator {
  /** Device service address, e.g. http://127.0.0.1:port/onvif/device_service. */
  url: string;
  port: number;
  /** Every SOAP operation received, in order. */
  calls: string[];
  ptz: PtzState;
  emitEvent(topic: string, data: Record<string, string>, source?: Record<string, string>): void;
  stop(): Promise<void>;
}

interface Subscription {
  queue: soap.SimEvent[];
  waiter?: () => void;
  until: Date;
}

export async function startOnvifSimulator(opts: OnvifSimOptions): Promise<OnvifSimulator> {
  const calls: string[] = [];
  const ptz: PtzState = { moving: false, velocity: { x: 0, y: 0, zoom: 0 }, moves: 0, stops: 0 };
  const subs = new Map<string, Subscription>();
  const urn = randomUUID();
  const model: soap.DeviceModel = {
    base: '',
    name: opts.name ?? 'GwanjeSim PTZ-1',
    rtspUrl: opts.rtspUrl,
    ptz: opts.ptz ?? true,
    events: opts.events ?? true,
    width: 640,
    height: 360,
    presets: [
      { token: 'preset-gate', name: 'Gate' },
      { token: 'preset-tank', name: 'Tank farm' },
    ],
  };
  const hold = opts.pullHoldMs ?? 1000;

  const reply = (res: ServerResponse, status: number, xml: string) => {
    res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' });
    res.end(xml);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, xml: string) => {
    const op = soap.operation(xml) ?? '';
    calls.push(op);
    // ONVIF Core 5.9.1: GetSystemDateAndTime is always allowed without credentials.
    if (opts.username && op !== 'GetSystemDateAndTime' && !soap.authorized(xml, opts.username, opts.password ?? '')) {
      reply(res, 400, soap.fault('Sender', 'NotAuthorized', 'Sender not authorized'));
      return;
    }
    const now = new Date();
    const ok = (body: string) => reply(res, 200, soap.envelope(body));
    switch (op) {
      case 'GetSystemDateAndTime':
        return ok(soap.systemDateAndTime(now));
      case 'GetServices':
        return ok(soap.getServices(model));
      case 'GetCapabilities':
        return ok(soap.getCapabilities(model));
      case 'GetDeviceInformation':
        return ok(soap.deviceInformation(model));
      case 'GetProfiles':
        return ok(soap.profiles(model));
      case 'GetVideoSources':
        return ok(soap.videoSources(model));
      case 'GetStreamUri':
        return ok(soap.streamUri(model));
      case 'GetSnapshotUri':
        return ok(soap.snapshotUri(model));
      case 'GetPresets':
        return ok(soap.presets(model));
      case 'ContinuousMove': {
        ptz.velocity = {
          x: Number(soap.attr(xml, 'PanTilt', 'x') ?? 0),
          y: Number(soap.attr(xml, 'PanTilt', 'y') ?? 0),
          zoom: Number(soap.attr(xml, 'Zoom', 'x') ?? 0),
        };
        ptz.moving = true;
        ptz.moves += 1;
        return ok('<tptz:ContinuousMoveResponse/>');
      }
      case 'Stop':
        ptz.moving = false;
        ptz.velocity = { x: 0, y: 0, zoom: 0 };
        ptz.stops += 1;
        return ok('<tptz:StopResponse/>');
      case 'GotoPreset': {
        const token = soap.field(xml, 'PresetToken') ?? '';
        if (!model.presets.some((p) => p.token === token)) {
          return reply(res, 400, soap.fault('Sender', 'NoEntity', `no preset ${token}`));
        }
        ptz.preset = token;
        return ok('<tptz:GotoPresetResponse/>');
      }
      case 'CreatePullPointSubscription': {
        if (!model.events) return reply(res, 400, soap.fault('Sender', 'ActionNotSupported', 'no event service'));
        const id = randomUUID();
        const until = new Date(now.getTime() + 120_000);
        subs.set(id, { queue: [], until });
        return ok(soap.subscription(`${model.base}/onvif/events_service/pullpoint/${id}`, now, until));
      }
      case 'PullMessages':
      case 'Renew':
      case 'Unsubscribe': {
        const id = /pullpoint\/([0-9a-f-]+)/.exec(req.url ?? '')?.[1] ?? '';
        const sub = subs.get(id);
        if (!sub) return reply(res, 400, soap.fault('Sender', 'InvalidArgVal', 'unknown subscription'));
        if (op === 'Unsubscribe') {
          subs.delete(id);
          sub.waiter?.();
          return ok('<wsnt:UnsubscribeResponse/>');
        }
        sub.until = new Date(now.getTime() + 120_000);
        if (op === 'Renew') {
          return ok(
            `<wsnt:RenewResponse><wsnt:TerminationTime>${sub.until.toISOString()}</wsnt:TerminationTime></wsnt:RenewResponse>`,
          );
        }
        // Long poll (Event service 5.2.2.1): answer as soon as an event is queued, or after `hold`.
        if (sub.queue.length === 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, hold);
            sub.waiter = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          sub.waiter = undefined;
        }
        const events = sub.queue.splice(0, 10);
        return ok(soap.pullMessages(events, new Date(), sub.until));
      }
      default:
        return reply(res, 400, soap.fault('Receiver', 'ActionNotSupported', `${op || 'unknown'} is not supported`));
    }
  };

  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/snapshot.jpg')) {
      snapshot(opts.rtspUrl, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: Error) => {
        reply(res, 500, soap.fault('Receiver', 'Action', err.message));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  model.base = `http://127.0.0.1:${port}`;
  const url = `${model.base}/onvif/device_service`;

  let udp: Socket | undefined;
  if (opts.discovery) udp = await startDiscovery(urn, url, model.name);

  return {
    url,
    port,
    calls,
    ptz,
    emitEvent(topic, data, source = { VideoSourceConfigurationToken: 'vsc_1' }) {
      for (const sub of subs.values()) {
        sub.queue.push({ topic, data, source, at: new Date() });
        sub.waiter?.();
      }
    },
    async stop() {
      for (const sub of subs.values()) sub.waiter?.();
      udp?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** WS-Discovery (ONVIF Core 7.3): answer multicast Probes for NetworkVideoTransmitter. */
function startDiscovery(urn: string, xaddr: string, name: string): Promise<Socket> {
  const sock = createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('message', (msg, rinfo) => {
    const xml = msg.toString('utf8');
    if (!/<(?:\w+:)?Probe[\s>]/.test(xml)) return;
    const types = soap.field(xml, 'Types') ?? '';
    if (types && !types.includes('NetworkVideoTransmitter')) return;
    const relatesTo = soap.field(xml, 'MessageID') ?? '';
    const out = Buffer.from(soap.probeMatches(relatesTo, urn, xaddr, name));
    sock.send(out, rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(3702, () => {
      try {
        sock.addMembership('239.255.255.250');
      } catch (err) {
        // Without a multicast route (some containers) unicast probes still work.
        process.emitWarning(`onvif-sim: multicast membership failed: ${(err as Error).message}`);
      }
      resolve(sock);
    });
  });
}

/** One JPEG frame grabbed from the RTSP stream (GetSnapshotUri target). */
function snapshot(rtspUrl: string, res: ServerResponse): void {
  const ff = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-rtsp_transport',
      'tcp',
      '-i',
      rtspUrl,
      '-frames:v',
      '1',
      '-f',
      'image2',
      '-c:v',
      'mjpeg',
      '-',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const parts: Buffer[] = [];
  ff.stdout.on('data', (b: Buffer) => parts.push(b));
  ff.on('close', (code) => {
    if (code !== 0 || parts.length === 0) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.concat(parts));
  });
}
