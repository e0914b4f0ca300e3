/**
 * CameraService: the site's cameras (issue 5 "Cameras"). Configured cameras plus, when enabled,
 * ONVIF devices found by WS-Discovery; the inventory is published retained on `cameras`;
 * `stream.start/stop`, `ptz.move/stop/preset` and `snapshot` commands act on them; ONVIF
 * PullPoint events and stream losses go up as `events` `camera-event`.
 */
import { readFileSync } from 'node:fs';
import type { AgentConfig, CameraConfig } from '@gwanje/firmware-config';
import { withCredentials } from '@gwanje/media';
// The onvif client (with its XML parser) is loaded only when a site has ONVIF cameras: RSS matters on a Pi.
import type { OnvifCamera } from '@gwanje/media/onvif';
import { type AgentEvent, type CameraInfo, type CameraInventory, PRESET_PATTERN } from '@gwanje/protocol';
import type { Logger } from 'pino';
import type { Redactor } from '../secrets.js';
import { checkIngestUrl } from './ingest-target.js';
import { type FfmpegUse, StreamPush } from './stream.js';

export interface CameraServiceDeps {
  log: Logger;
  /** The ffmpeg pushes run (default `ffmpeg` on PATH). */
  ffmpeg?: FfmpegUse;
  now: () => number;
  publishEvent(ev: AgentEvent): void;
  publishInventory(inv: CameraInventory): void;
  /** Credentials out of every error text and event (secrets.ts). */
  redact: Redactor;
}

interface Entry {
  cfg: CameraConfig;
  info: CameraInfo;
  onvif?: OnvifCamera;
  streamUri?: string;
  snapshotUri?: string;
}

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v.length === 0) throw new Error(`cameras: args.${name} must be a non-empty string`);
  return v;
};
const num = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);

/** ONVIF preset tokens as the center accepts them (review F19): nothing XML could read as markup. */
export const PRESET_REGEX = new RegExp(PRESET_PATTERN);
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** The `onvif` library pastes the token into its SOAP body unescaped; escaped here as well. */
export const xmlEscape = (s: string): string => s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);

function presetToken(v: unknown): string {
  const preset = str(v, 'preset');
  if (!PRESET_REGEX.test(preset)) throw new Error(`cameras: args.preset must match ${PRESET_PATTERN}`);
  return xmlEscape(preset);
}

export class CameraService {
  private readonly entries = new Map<string, Entry>();
  private readonly pushes = new Map<string, StreamPush>();

  constructor(
    private readonly config: AgentConfig,
    private readonly deps: CameraServiceDeps,
  ) {}

  async start(): Promise<void> {
    for (const cfg of this.config.cameras) {
      this.entries.set(cfg.cameraId, {
        cfg,
        info: {
          cameraId: cfg.cameraId,
          name: cfg.name ?? cfg.cameraId,
          ptz: false,
          // The virtual camera's one "profile" is what StreamPush encodes (stream.ts).
          profiles:
            cfg.testPattern && !cfg.rtsp ? [{ token: 'test-pattern', width: 640, height: 360, codec: 'H264' }] : [],
        },
        streamUri: cfg.rtsp,
      });
    }
    // ONVIF connects run in the background: a camera that is down must not hold the agent up.
    for (const e of this.entries.values()) if (e.cfg.onvif) void this.connectOnvif(e);
    if (this.config.discovery?.onvif) void this.discover();
    this.republish();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pushes.values()].map((p) => p.stop()));
    this.pushes.clear();
    for (const e of this.entries.values()) e.onvif?.close();
  }

  inventory(): CameraInventory {
    return { cameras: [...this.entries.values()].map((e) => e.info) };
  }

  republish(): void {
    this.deps.publishInventory(this.inventory());
  }

  /** Process ids of running pushes (bench: CPU per pushed stream). */
  pushPids(): number[] {
    return [...this.pushes.values()].map((p) => p.pid).filter((p): p is number => p !== undefined);
  }

  async command(action: string, args: Record<string, unknown>): Promise<unknown> {
    const cameraId = str(args.cameraId, 'cameraId');
    const e = this.entries.get(cameraId);
    if (!e) throw new Error(`cameras: unknown camera ${cameraId}`);
    switch (action) {
      case 'stream.start':
        return this.startPush(e, str(args.url, 'url'));
      case 'stream.stop':
        return this.stopPush(cameraId);
      case 'ptz.move':
        await this.ptz(e).move(num(args.x ?? args.pan, 0), num(args.y ?? args.tilt, 0), num(args.zoom, 0));
        return undefined;
      case 'ptz.stop':
        await this.ptz(e).stop();
        return undefined;
      case 'ptz.preset':
        if (args.list === true) return { presets: await this.ptz(e).presets() };
        await this.ptz(e).gotoPreset(presetToken(args.preset));
        return undefined;
      case 'snapshot':
        return { uri: this.deps.redact.text(e.snapshotUri ?? (await this.onvifOf(e).snapshotUri())) };
      default:
        throw new Error(`cameras: unsupported action ${action}`);
    }
  }

  private onvifOf(e: Entry): OnvifCamera {
    if (!e.onvif) throw new Error(`cameras: ${e.cfg.cameraId} has no ONVIF connection`);
    return e.onvif;
  }

  private ptz(e: Entry): OnvifCamera {
    const cam = this.onvifOf(e);
    if (!e.info.ptz) throw new Error(`cameras: ${e.cfg.cameraId} has no PTZ`);
    return cam;
  }

  private startPush(e: Entry, requested: string): { cameraId: string; url: string } {
    const id = e.cfg.cameraId;
    // Only to the configured center(s), only this camera's ingest path (review F18, issue 19).
    const { videoUrl, videoUrls } = this.config.central;
    const url = checkIngestUrl(videoUrl, id, requested, videoUrls).href;
    const existing = this.pushes.get(id);
    if (existing && existing.url === url) return { cameraId: id, url };
    void existing?.stop();
    const src = e.cfg.testPattern && !e.streamUri ? { testPattern: true } : { rtsp: e.streamUri, relay: e.cfg.relay };
    if (!src.testPattern && !src.rtsp) throw new Error(`cameras: ${id} has no RTSP source yet`);
    const authorization = `Basic ${Buffer.from(`${this.config.agentId}:${this.config.central.password}`).toString('base64')}`;
    const ca = this.config.central.caFile ? readFileSync(this.config.central.caFile) : undefined;
    const push = new StreamPush(
      id,
      url,
      src,
      { authorization, ca, redact: this.deps.redact.text },
      {
        log: this.deps.log.child({ cameraId: id }),
        ffmpeg: this.deps.ffmpeg,
        onState: (state, detail) => {
          if (state === 'ended' && this.pushes.get(id) === push) this.pushes.delete(id);
          if (state !== 'live') this.cameraEvent(id, state === 'lost' ? 'stream-lost' : 'stream-ended', { detail });
        },
      },
    );
    this.pushes.set(id, push);
    push.start();
    return { cameraId: id, url };
  }

  private async stopPush(cameraId: string): Promise<{ cameraId: string; stopped: boolean }> {
    const p = this.pushes.get(cameraId);
    this.pushes.delete(cameraId);
    if (p) await p.stop();
    return { cameraId, stopped: p !== undefined };
  }

  private cameraEvent(cameraId: string, event: string, extra: Record<string, unknown> = {}): void {
    const ev = { type: 'camera-event', sourceId: cameraId, ts: this.deps.now(), event, ...extra };
    this.deps.publishEvent(this.deps.redact.deep(ev));
  }

  private async connectOnvif(e: Entry, attempt = 0): Promise<void> {
    const o = e.cfg.onvif;
    if (!o) return;
    const { OnvifCamera } = await import('@gwanje/media/onvif');
    const cam = new OnvifCamera(o.url, o.username, o.password, this.deps.log.child({ cameraId: e.cfg.cameraId }));
    try {
      const d = await cam.connect();
      e.onvif = cam;
      e.info = { cameraId: e.cfg.cameraId, name: e.cfg.name ?? d.name, ptz: d.ptz, profiles: d.profiles };
      // ONVIF Core 5.12.1: the stream URI carries no credentials; RTSP takes the device's own.
      const creds = o.username ? { username: o.username, password: o.password ?? '' } : undefined;
      e.streamUri = e.cfg.rtsp ?? (d.streamUri && withCredentials(d.streamUri, creds));
      e.snapshotUri = d.snapshotUri;
      this.republish();
      // A device without an event service is not polled (it would answer errors forever).
      if (d.events) cam.startEvents((topic, data) => this.cameraEvent(e.cfg.cameraId, 'onvif', { topic, data }));
      else this.deps.log.info({ cameraId: e.cfg.cameraId }, 'cameras: the device has no event service');
    } catch (err) {
      cam.close();
      const delay = Math.min(60_000, 2000 * 2 ** attempt);
      const why = this.deps.redact.text((err as Error).message);
      this.deps.log.warn({ cameraId: e.cfg.cameraId, err: why, retryMs: delay }, 'cameras: ONVIF connect failed');
      if (attempt === 0) this.cameraEvent(e.cfg.cameraId, 'unreachable', { detail: why });
      setTimeout(() => void this.connectOnvif(e, attempt + 1), delay).unref();
    }
  }

  /** WS-Discovery (ONVIF Core 7.3) on the site network: adds devices not configured by address. */
  private async discover(): Promise<void> {
    const known = new Set([...this.entries.values()].map((e) => e.cfg.onvif?.url));
    const { discoverOnvif } = await import('@gwanje/media/onvif');
    const found = await discoverOnvif(3000, this.deps.log);
    for (const xaddr of found) {
      if (known.has(xaddr)) continue;
      const host = new URL(xaddr);
      const cameraId =
        `${this.config.agentId}-onvif-${host.hostname.replace(/[^a-z0-9]/g, '-')}-${host.port || 80}`.slice(0, 63);
      // Discovered devices get the site's configured ONVIF credentials (issue 20).
      const { username, password } = this.config.discovery ?? {};
      const e: Entry = {
        cfg: { cameraId, onvif: { url: xaddr, ...(username !== undefined && { username, password }) } },
        info: { cameraId, name: cameraId, ptz: false, profiles: [] },
      };
      this.entries.set(cameraId, e);
      void this.connectOnvif(e);
    }
  }
}
