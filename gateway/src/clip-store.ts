/**
 * Alarm clips on disk: dataDir/clips/<alarmId>/<clipId>.mp4 (or .jpg for an alarm's snapshot)
 * with a <clipId>.json sidecar holding ClipInfo. Retention by age and total size, oldest first.
 * Clips are CCTV of public spaces (personal data): directories are 0700 and files 0600, readable
 * by the center's user only.
 */
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ClipInfo } from './types.js';

const SAFE = /^[A-Za-z0-9._-]{1,128}$/;
/** Media kept per alarm: clips and snapshots. */
const MEDIA = ['.mp4', '.jpg'];
export const CLIP_DIR_MODE = 0o700;
export const CLIP_FILE_MODE = 0o600;

/** A path segment from an external id: ids are kept as-is when safe, else percent-encoded. */
export function safeSegment(id: string): string {
  const s = SAFE.test(id) && id !== '.' && id !== '..' ? id : encodeURIComponent(id).replace(/\./g, '%2E');
  return s.slice(0, 200);
}

export class ClipStore {
  constructor(
    readonly root: string,
    private readonly log: Logger,
  ) {}

  dirFor(alarmId: string): string {
    return join(this.root, safeSegment(alarmId));
  }

  /** The clips root, 0700 (an existing one is narrowed). */
  async ensureRoot(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: CLIP_DIR_MODE });
    await chmod(this.root, CLIP_DIR_MODE);
  }

  async ensureDir(alarmId: string): Promise<string> {
    const dir = this.dirFor(alarmId);
    await mkdir(dir, { recursive: true, mode: CLIP_DIR_MODE });
    return dir;
  }

  /** Writes the sidecar and narrows the clip file ffmpeg wrote to 0600. */
  async save(info: ClipInfo): Promise<void> {
    const dir = this.dirFor(info.alarmId);
    await chmod(join(dir, info.fileName), CLIP_FILE_MODE);
    await writeFile(join(dir, `${info.clipId}.json`), JSON.stringify(info), { mode: CLIP_FILE_MODE });
  }

  async list(alarmId: string): Promise<ClipInfo[]> {
    const dir = this.dirFor(alarmId);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const clips: ClipInfo[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      try {
        clips.push(JSON.parse(await readFile(join(dir, n), 'utf8')) as ClipInfo);
      } catch (err) {
        this.log.warn({ file: n, err: String(err) }, 'clips: unreadable clip metadata skipped');
      }
    }
    return clips.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  }

  /** Absolute path of a stored clip (.mp4) or snapshot (.jpg), or undefined (ids are checked, no path escapes). */
  async file(alarmId: string, clipId: string): Promise<string | undefined> {
    if (!SAFE.test(clipId)) return undefined;
    for (const ext of MEDIA) {
      const p = join(this.dirFor(alarmId), `${clipId}${ext}`);
      try {
        if ((await stat(p)).isFile()) return p;
      } catch {
        // ENOENT: not this kind
      }
    }
    return undefined;
  }

  /** Deletes clips older than maxAgeMs, then oldest first until the total is within maxBytes. */
  async prune(now: number, maxAgeMs: number, maxBytes: number): Promise<number> {
    const all: Array<{ dir: string; id: string; at: number; bytes: number }> = [];
    let alarms: string[];
    try {
      alarms = await readdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    for (const a of alarms) {
      const dir = join(this.root, a);
      const names = await readdir(dir).catch((err: Error) => {
        this.log.warn({ dir, err: err.message }, 'clips: cannot list');
        return [] as string[];
      });
      for (const n of names.filter((x) => MEDIA.some((e) => x.endsWith(e)))) {
        const s = await stat(join(dir, n));
        all.push({ dir, id: n.slice(0, -4), at: s.mtimeMs, bytes: s.size });
      }
    }
    all.sort((x, y) => x.at - y.at);
    let total = all.reduce((n, c) => n + c.bytes, 0);
    let removed = 0;
    for (const c of all) {
      if (now - c.at <= maxAgeMs && total <= maxBytes) break;
      for (const e of MEDIA) await rm(join(c.dir, `${c.id}${e}`), { force: true });
      await rm(join(c.dir, `${c.id}.json`), { force: true });
      total -= c.bytes;
      removed++;
    }
    if (removed) this.log.info({ removed }, 'clips: retention pruned');
    return removed;
  }
}
