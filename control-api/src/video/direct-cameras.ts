/**
 * Direct cameras (issue 20; CONTRACT `POST /api/v1/cameras`, `source: direct`): cameras the center
 * pulls itself, a municipal VMS/NVR channel by RTSP URL or an ONVIF device, with no edge agent.
 * Credentials are write-only: taken out of the URL, sealed at rest (camera-secrets.ts), opened
 * only to hand the gateway's in-process RTSP client the URL it dials (never logged, never on an
 * ffmpeg command line: the gateway's ffmpeg fallback reads it from an ffconcat list on stdin).
 */
import { splitCredentials, withCredentials } from '@gwanje/media';
import type { CameraCreateBody, CameraUpdateBody } from '@gwanje/protocol';
import type { Logger } from '../logger.js';
import type { CameraSourceRow } from '../store/repos/camera-sources.js';
import type { Repositories } from '../store/repositories.js';
import type { CameraRow } from '../store/types.js';
import type { CameraCredentials, CameraSecrets } from './camera-secrets.js';

/** Resolves an ONVIF device's stream URI (GetStreamUri) with its credentials; media/onvif.ts in production. */
export type OnvifResolver = (
  url: string,
  creds: CameraCredentials | undefined,
  profileToken: string | undefined,
) => Promise<{ streamUri?: string; ptz: boolean; profiles: CameraRow['profiles']; name: string }>;

export class DirectCameraError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export interface DirectCamerasDeps {
  repos: Pick<Repositories, 'cameras' | 'cameraSources' | 'sites'>;
  secrets: CameraSecrets;
  log: Logger;
  /** Default: the `onvif` client (media/onvif.ts), loaded on first use. */
  onvif?: OnvifResolver;
  now?: () => number;
}

/** Where a direct camera is and with what it signs in; the input of a registration or an update. */
interface SourceInput {
  kind: 'rtsp' | 'onvif';
  url: string;
  profileToken: string | null;
  creds: CameraCredentials | undefined;
}

/** The URL without userinfo and the credentials it carried (or the given ones, which win). */
function sourceOf(b: Pick<CameraCreateBody, 'rtspUrl' | 'onvif' | 'username' | 'password'>): SourceInput {
  if ((b.rtspUrl === undefined) === (b.onvif === undefined))
    throw new DirectCameraError('rtspUrl', 'give exactly one of rtspUrl and onvif');
  if (b.onvif) {
    const split = splitCredentials(b.onvif.url);
    return {
      kind: 'onvif',
      url: split.url,
      profileToken: b.onvif.profileToken ?? null,
      creds: { username: b.onvif.username, password: b.onvif.password },
    };
  }
  let split: ReturnType<typeof splitCredentials>;
  try {
    split = splitCredentials(b.rtspUrl as string);
  } catch {
    throw new DirectCameraError('rtspUrl', 'is not a valid URL');
  }
  const username = b.username ?? split.username;
  const password = b.password ?? split.password ?? '';
  if (b.password !== undefined && username === undefined)
    throw new DirectCameraError('username', 'is required with password');
  return { kind: 'rtsp', url: split.url, profileToken: null, creds: username ? { username, password } : undefined };
}

export class DirectCameras {
  private readonly now: () => number;

  constructor(private readonly deps: DirectCamerasDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Checks a registration without storing it (the CSV import checks every row first). */
  async prepare(b: CameraCreateBody, actor: string): Promise<{ camera: CameraRow; source: CameraSourceRow }> {
    if (!(await this.deps.repos.sites.get(b.siteId))) throw new DirectCameraError('siteId', `no site ${b.siteId}`);
    const src = sourceOf(b);
    return {
      camera: {
        cameraId: b.cameraId,
        siteId: b.siteId,
        agentId: null,
        name: b.name ?? b.cameraId,
        ptz: false,
        profiles: [],
        state: 'idle',
      },
      source: this.row(b.cameraId, src, b, actor),
    };
  }

  /** Stores prepared registrations, all or none; the ids already taken when any is. */
  async insert(rows: { camera: CameraRow; source: CameraSourceRow }[]): Promise<{ taken: string[] }> {
    return this.deps.repos.cameraSources.insert(rows);
  }

  /** Applies an update to a direct camera; undefined when the camera is not a direct one. */
  async update(cameraId: string, b: CameraUpdateBody, actor: string): Promise<CameraSourceRow | undefined> {
    const before = await this.deps.repos.cameraSources.get(cameraId);
    const cam = await this.deps.repos.cameras.get(cameraId);
    if (!before || !cam) return undefined;
    let src: SourceInput;
    if (b.rtspUrl !== undefined || b.onvif !== undefined) src = sourceOf(b);
    else {
      // Same source; credentials change only when given.
      const kept = before.secret ? this.deps.secrets.open(cameraId, before.secret) : undefined;
      const creds =
        b.username !== undefined ? { username: b.username, password: b.password ?? '' } : kept && { ...kept };
      if (creds && b.password !== undefined && b.username === undefined) creds.password = b.password;
      src = { kind: before.kind as SourceInput['kind'], url: before.url, profileToken: before.profileToken, creds };
    }
    const row = this.row(cameraId, src, { lat: b.lat ?? before.lat, lon: b.lon ?? before.lon }, actor);
    await this.deps.repos.cameraSources.update(b.name ?? cam.name, row);
    return row;
  }

  /** Removes a camera (direct or an agent's) and its source; false when it did not exist. */
  remove(cameraId: string): Promise<boolean> {
    return this.deps.repos.cameraSources.remove(cameraId);
  }

  /**
   * The URL the gateway dials for a direct camera, credentials included (kept in memory only).
   * ONVIF: GetStreamUri with the device's credentials, then those credentials on the RTSP URI.
   */
  async upstreamUrl(cameraId: string): Promise<string | undefined> {
    const src = await this.deps.repos.cameraSources.get(cameraId);
    if (!src) return undefined;
    const creds = src.secret ? this.deps.secrets.open(cameraId, src.secret) : undefined;
    if (src.kind === 'rtsp') return withCredentials(src.url, creds);
    const resolve = this.deps.onvif ?? defaultOnvifResolver(this.deps.log);
    const d = await resolve(src.url, creds, src.profileToken ?? undefined);
    await this.deps.repos.cameraSources.describe(cameraId, { ptz: d.ptz, profiles: d.profiles });
    if (!d.streamUri) throw new Error(`video: ONVIF device of ${cameraId} gave no RTSP stream URI`);
    return withCredentials(d.streamUri, creds);
  }

  private row(
    cameraId: string,
    src: SourceInput,
    where: { lat?: number | null; lon?: number | null },
    actor: string,
  ): CameraSourceRow {
    return {
      cameraId,
      kind: src.kind,
      url: src.url,
      profileToken: src.profileToken,
      secret: src.creds ? this.deps.secrets.seal(cameraId, src.creds) : null,
      lat: where.lat ?? null,
      lon: where.lon ?? null,
      updatedAt: this.now(),
      updatedBy: actor,
    };
  }
}

/** media/onvif.ts, loaded on first use (the XML parser is not needed by a center without ONVIF). */
function defaultOnvifResolver(log: Logger): OnvifResolver {
  return async (url, creds, profileToken) => {
    const { OnvifCamera } = await import('@gwanje/media/onvif');
    const cam = new OnvifCamera(url, creds?.username, creds?.password, log);
    try {
      return await cam.connect(profileToken);
    } finally {
      cam.close();
    }
  };
}
