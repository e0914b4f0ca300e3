/**
 * ONVIF for direct cameras (issue 20): a camera registered with an ONVIF endpoint and no edge agent
 * is spoken to by the center itself, with the device's sealed credentials (the `onvif` client signs
 * with WS-UsernameToken and retries Digest/Basic on 401). It gives:
 * - PTZ: ContinuousMove, Stop, GotoPreset, GetPresets (ONVIF PTZ service 5.3), for the same route
 *   and audit as an agent's camera, and for the preset a sensor's alarm recalls;
 * - events: a PullPoint subscription (ONVIF Core 9.1) per device that lists an event service; tamper
 *   and video-loss notifications raise the same camera-loss family alarms as an agent's camera
 *   (camera-conditions.ts); motion stays an event. A device without an event service is not polled.
 * One connection per camera, opened on first use or by the periodic scan, dropped when the camera
 * is removed or its source changes, and opened again after a failure.
 */
import type { OnvifDescription } from '@gwanje/media/onvif';
import { classifyOnvifEvent } from '@gwanje/protocol';
import type { PtzArgs } from '../http/deps.js';
import type { Logger } from '../logger.js';
import type { Repositories } from '../store/repositories.js';
import type { SiteScope } from '../store/types.js';
import { type CameraConditionSink, raiseCameraCondition } from './camera-conditions.js';
import type { CameraCredentials, CameraSecrets } from './camera-secrets.js';

/** What the center needs of an ONVIF device (media/onvif.ts OnvifCamera). */
export interface OnvifDevice {
  connect(): Promise<OnvifDescription>;
  move(x: number, y: number, zoom: number): Promise<void>;
  stop(): Promise<void>;
  gotoPreset(preset: string): Promise<void>;
  presets(): Promise<Array<{ token: string; name: string }>>;
  startEvents(onEvent: (topic: string, data: unknown) => void): void;
  close(): void;
}

export class NotOnvifError extends Error {
  readonly code = 'not-onvif';
}

export interface DirectOnvifDeps {
  repos: Pick<Repositories, 'cameras' | 'cameraSources'>;
  secrets: CameraSecrets;
  log: Logger;
  /** camera-tamper / video-loss through the alarm lifecycle. */
  alarms?: CameraConditionSink;
  /** How often the registered ONVIF cameras are looked over (new, changed, removed; default 30 s). */
  scanMs?: number;
  /**
   * Issue 19: the sites whose direct cameras this instance subscribes to and polls: every site for
   * a single instance ('*', the default), the sites it owns in a cluster, so each camera is polled by
   * exactly one instance. PTZ still works from any instance (a short-lived link, no events).
   */
  sites?: () => SiteScope;
}

interface Linked {
  device: OnvifDevice;
  /** The source row's updatedAt when connected: a newer one (URL or credentials edited) reconnects. */
  version: number;
  description: OnvifDescription;
  /** Opened for a site of ours (events pulled when the device has them); false: PTZ only. */
  ours: boolean;
}

export class DirectOnvif {
  private readonly linked = new Map<string, Promise<Linked>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: DirectOnvifDeps) {}

  /** Starts the scan; a device that does not answer never holds up the center's start. */
  start(): void {
    this.stopped = false;
    void this.scan();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const id of [...this.linked.keys()]) this.drop(id);
  }

  /** PTZ on a direct ONVIF camera; what an agent's `cmd/result` data would carry (presets list). */
  async ptz(cameraId: string, args: PtzArgs): Promise<unknown> {
    const { device } = await this.link(cameraId);
    switch (args.action) {
      case 'move':
        await device.move(args.pan ?? 0, args.tilt ?? 0, args.zoom ?? 0);
        return { ok: true };
      case 'stop':
        await device.stop();
        return { ok: true };
      case 'preset':
        if ((args as { list?: boolean }).list === true) return { presets: await device.presets() };
        await device.gotoPreset(args.preset ?? '');
        return { ok: true };
    }
  }

  /** Whether the device has PTZ (learnt by connecting); NotOnvifError for any other camera. */
  async hasPtz(cameraId: string): Promise<boolean> {
    return (await this.link(cameraId)).description.ptz;
  }

  gotoPreset(cameraId: string, preset: string): Promise<void> {
    return this.link(cameraId).then(({ device }) => device.gotoPreset(preset));
  }

  /** Looks the cameras over now (this instance took or gave a site up). */
  rescan(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    void this.scan();
  }

  /** Connects every registered ONVIF camera of our sites not yet linked (events need a standing connection). */
  private async scan(): Promise<void> {
    try {
      const scope = this.deps.sites?.() ?? '*';
      const sources = (await this.deps.repos.cameraSources.list(scope)).filter((s) => s.kind === 'onvif');
      const wanted = new Set(sources.map((s) => s.cameraId));
      for (const id of this.linked.keys()) if (!wanted.has(id)) this.drop(id);
      await Promise.all(
        sources.map((s) =>
          this.link(s.cameraId, true).catch((err: Error) =>
            this.deps.log.warn({ cameraId: s.cameraId, err: err.message }, 'onvif: direct camera not reached'),
          ),
        ),
      );
    } catch (err) {
      this.deps.log.error({ err: (err as Error).message }, 'onvif: direct camera scan failed');
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.scan(), this.deps.scanMs ?? 30_000);
      this.timer.unref();
    }
  }

  /** The camera's live connection, opened (and its event pull started) when missing or outdated. */
  private async link(cameraId: string, poll = false): Promise<Linked> {
    const src = await this.deps.repos.cameraSources.get(cameraId);
    if (src?.kind !== 'onvif') throw new NotOnvifError(`onvif: camera ${cameraId} is not a direct ONVIF camera`);
    const current = this.linked.get(cameraId);
    if (current) {
      const ok = await current.then(
        // A link opened for PTZ only is opened again when the scan wants it polled (the site became ours).
        (l) => l.version === src.updatedAt && (!poll || l.ours),
        () => false,
      );
      if (ok) return current;
      this.drop(cameraId);
    }
    const creds = src.secret ? this.deps.secrets.open(cameraId, src.secret) : undefined;
    const opening = this.open(cameraId, src.url, creds, src.updatedAt);
    this.linked.set(cameraId, opening);
    // A failed connection is forgotten, so the next use or scan tries again.
    opening.catch(() => {
      if (this.linked.get(cameraId) === opening) this.linked.delete(cameraId);
    });
    return opening;
  }

  /** Whether this instance polls the camera (its site is among `sites`). */
  private async ours(cameraId: string): Promise<boolean> {
    const scope = this.deps.sites?.() ?? '*';
    if (scope === '*') return true;
    const cam = await this.deps.repos.cameras.get(cameraId);
    return cam !== undefined && scope.includes(cam.siteId);
  }

  private async open(cameraId: string, url: string, creds: CameraCredentials | undefined, version: number) {
    const log = this.deps.log.child({ cameraId });
    // media/onvif.ts, loaded on first use (its XML parser is not needed by a center without ONVIF).
    const { OnvifCamera } = await import('@gwanje/media/onvif');
    const device: OnvifDevice = new OnvifCamera(url, creds?.username, creds?.password, log);
    let description: OnvifDescription;
    try {
      description = await device.connect();
    } catch (err) {
      device.close();
      throw err;
    }
    await this.deps.repos.cameraSources.describe(cameraId, {
      ptz: description.ptz,
      profiles: description.profiles,
    });
    const ours = await this.ours(cameraId);
    if (!ours) log.info('onvif: camera of a site another instance owns; not polled here');
    else if (description.events) device.startEvents((topic, data) => this.onEvent(cameraId, topic, data));
    else log.info('onvif: the device has no event service; not polled');
    return { device, version, description, ours };
  }

  private onEvent(cameraId: string, topic: string, data: unknown): void {
    const meaning = classifyOnvifEvent(topic, data);
    if (!meaning) return;
    if (meaning.kind === 'motion') {
      this.deps.log.debug({ cameraId, active: meaning.active }, 'onvif: motion (an event, not an alarm)');
      return;
    }
    const sink = this.deps.alarms;
    if (!sink) return;
    const kind = meaning.kind;
    void this.deps.repos.cameras
      .get(cameraId)
      .then((cam) => {
        if (cam && !cam.agentId)
          raiseCameraCondition(
            sink,
            { cameraId, siteId: cam.siteId, kind, active: meaning.active, source: 'onvif' },
            Date.now(),
          );
      })
      .catch((err: Error) => this.deps.log.error({ cameraId, err: err.message }, 'onvif: event not applied'));
  }

  private drop(cameraId: string): void {
    const l = this.linked.get(cameraId);
    this.linked.delete(cameraId);
    void l?.then(
      (x) => x.device.close(),
      () => undefined,
    );
  }
}
