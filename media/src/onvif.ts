/**
 * OnvifCamera: the `onvif` client wrapped in promises (issue 5 "ONVIF via the onvif package").
 * Connect runs GetSystemDateAndTime, GetServices/GetCapabilities, GetProfiles, GetVideoSources
 * (ONVIF Core 8.1-8.4, Media 5.2); then GetDeviceInformation and GetStreamUri/GetSnapshotUri for
 * the default profile. PTZ uses ContinuousMove/Stop/GotoPreset/GetPresets (PTZ service 5.3).
 * Events use a PullPoint subscription (Core 9.1 "Real-time Pull-Point Notification") pulled in
 * a loop; every NotificationMessage is handed to the caller.
 */
import { Agent } from 'node:http';
import onvif from 'onvif';

// onvif is CommonJS; its named exports are properties of the default export at runtime.
const { Cam, Discovery } = onvif;
type Cam = InstanceType<typeof Cam>;

import type { Logger } from 'pino';

export interface OnvifDescription {
  name: string;
  ptz: boolean;
  profiles: Array<{ token: string; width: number; height: number; codec: string }>;
  streamUri?: string;
  snapshotUri?: string;
  /** The device lists an event service (ONVIF Core 8.1.2 GetServices / GetCapabilities Events). */
  events: boolean;
}

type Cb<T> = (err: Error | null, data?: T) => void;

/** Node-style call -> promise, bound to the camera. */
function call<T>(fn: (cb: Cb<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, data) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(data as T)));
  });
}

interface ProfileLike {
  $?: { token?: string };
  name?: string;
  videoEncoderConfiguration?: { encoding?: string; resolution?: { width?: number; height?: number } };
  PTZConfiguration?: unknown;
}

export class OnvifCamera {
  private cam: Cam | undefined;
  private readonly agent = new Agent({ keepAlive: false });
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly username: string | undefined,
    private readonly password: string | undefined,
    private readonly log: Logger,
  ) {}

  /** `profileToken`: the media profile whose stream URI is wanted (default: the device's first). */
  async connect(profileToken?: string): Promise<OnvifDescription> {
    const u = new URL(this.url);
    const cam = await new Promise<Cam>((resolve, reject) => {
      const c: Cam = new Cam(
        {
          hostname: u.hostname,
          port: Number(u.port || 80),
          path: u.pathname,
          username: this.username,
          password: this.password,
          timeout: 10_000,
          agent: this.agent,
          preserveAddress: true,
        },
        (err: Error | null) => (err ? reject(new Error(`onvif: ${this.url}: ${err.message}`)) : resolve(c)),
      );
    });
    this.cam = cam;
    const info = await call<{ manufacturer?: string; model?: string }>((cb) => cam.getDeviceInformation(cb));
    const profiles = ((cam.profiles ?? []) as ProfileLike[]).map((p) => ({
      token: String(p.$?.token ?? ''),
      width: Number(p.videoEncoderConfiguration?.resolution?.width ?? 0),
      height: Number(p.videoEncoderConfiguration?.resolution?.height ?? 0),
      codec: String(p.videoEncoderConfiguration?.encoding ?? 'unknown'),
    }));
    const stream = await call<{ uri: string }>((cb) => cam.getStreamUri({ protocol: 'RTSP', profileToken }, cb)).catch(
      (err: Error) => {
        this.log.warn({ err: err.message }, 'onvif: GetStreamUri failed');
        return undefined;
      },
    );
    const snap = await call<{ uri: string }>((cb) => cam.getSnapshotUri(cb)).catch(() => undefined);
    const def = cam.defaultProfile as ProfileLike | undefined;
    return {
      name: [info.manufacturer, info.model].filter(Boolean).join(' ') || this.url,
      ptz: Boolean(cam.uri?.ptz && def?.PTZConfiguration),
      profiles,
      streamUri: stream?.uri,
      snapshotUri: snap?.uri,
      events: Boolean((cam.uri as Record<string, unknown> | undefined)?.events),
    };
  }

  private get c(): Cam {
    if (!this.cam) throw new Error('onvif: not connected');
    return this.cam;
  }

  move(x: number, y: number, zoom: number): Promise<void> {
    const clamp = (v: number) => Math.max(-1, Math.min(1, v));
    return call<void>((cb) => this.c.continuousMove({ x: clamp(x), y: clamp(y), zoom: clamp(zoom) }, cb));
  }

  stop(): Promise<void> {
    return call<void>((cb) => this.c.stop({ panTilt: true, zoom: true }, cb));
  }

  gotoPreset(preset: string): Promise<void> {
    return call<void>((cb) => this.c.gotoPreset({ preset }, cb));
  }

  async presets(): Promise<Array<{ token: string; name: string }>> {
    const res = await call<Record<string, { $?: { token?: string } }>>((cb) => this.c.getPresets(cb));
    return Object.entries(res).map(([name, p]) => ({ name, token: String(p.$?.token ?? '') }));
  }

  async snapshotUri(): Promise<string> {
    const r = await call<{ uri: string }>((cb) => this.c.getSnapshotUri(cb));
    return r.uri;
  }

  /** Pulls PullPoint events until close(); retries the subscription with backoff on errors. */
  startEvents(onEvent: (topic: string, data: unknown) => void): void {
    const loop = async (attempt: number): Promise<void> => {
      if (this.closed) return;
      try {
        await call((cb) => this.c.createPullPointSubscription(cb));
        for (;;) {
          if (this.closed) return;
          const res = await call<{ notificationMessage?: unknown }>((cb) =>
            this.c.pullMessages({ messageLimit: 10 }, cb),
          );
          attempt = 0;
          const msgs = res?.notificationMessage;
          for (const m of Array.isArray(msgs) ? msgs : msgs ? [msgs] : []) {
            const mm = m as { topic?: { _?: string }; message?: { message?: unknown } };
            onEvent(String(mm.topic?._ ?? 'unknown'), mm.message?.message ?? m);
          }
        }
      } catch (err) {
        if (this.closed) return;
        const message = (err as Error).message;
        // A device answering that it has no such action will not grow one: stop asking (issue 20).
        if (/ActionNotSupported|not supported|NotImplemented/i.test(message)) {
          this.log.warn({ err: message }, 'onvif: the device does not serve PullPoint events; not polled');
          return;
        }
        // Back off up to 5 minutes between tries (a camera busy rebooting, a flaky link).
        const delay = Math.min(300_000, 1000 * 2 ** attempt);
        this.log.warn({ err: message, retryMs: delay }, 'onvif: event pull failed');
        setTimeout(() => void loop(attempt + 1), delay).unref();
      }
    };
    void loop(0);
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
  }
}

/** WS-Discovery Probe for NetworkVideoTransmitter (ONVIF Core 7.3): device service addresses. */
export function discoverOnvif(timeoutMs: number, log: Logger): Promise<string[]> {
  return new Promise((resolve) => {
    Discovery.probe({ timeout: timeoutMs, resolve: false }, (err: unknown, found?: unknown[]) => {
      if (err) log.debug({ err: String(err) }, 'onvif: discovery reported errors');
      const addrs = new Set<string>();
      for (const d of found ?? []) {
        const m = d as { probeMatches?: { probeMatch?: { XAddrs?: string } } };
        const x = m.probeMatches?.probeMatch?.XAddrs;
        if (typeof x === 'string') for (const a of x.split(/\s+/)) if (a) addrs.add(a);
      }
      resolve([...addrs]);
    });
  });
}
