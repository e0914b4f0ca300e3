/**
 * Builds an alarm's evidence bundle (issue 21, CONTRACT `GET /api/v1/alarms/{id}/evidence`):
 * the alarm and its journal, the notification (SMS) log, the sensor trace around the alarm as
 * CSV with quality, the alarm's snapshot and clips (faces masked on request), a readable report,
 * the center's public key, and `manifest.json` with every file's SHA-256, signed (Ed25519).
 * The ZIP is streamed (yazl); media are hashed from disk first, then streamed into it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  EVIDENCE_FORMAT,
  EVIDENCE_KEY_FILE,
  type EvidenceFile,
  MANIFEST_FILE,
  sha256Hex,
  signEvidenceManifest,
} from '@gwanje/firmware-config';
import type { Alarm, JournalEntry } from '@gwanje/protocol';
import { ZipFile } from 'yazl';
import type { RawReading, SensorRow } from '../store/types.js';
import { csvRow, isoTime } from './csv.js';
import type { EvidenceKey } from './evidence-key.js';
import type { FaceMasker } from './face-mask.js';
import { type ReportLang, renderReport } from './report.js';
import { readingsCsv } from './tables.js';

/** The trace covers this long before the alarm and after it returned to normal (or now). */
export const TRACE_MARGIN_MS = 15 * 60_000;
/** A standing alarm's trace ends now; a long one is cut to its first day after the margin. */
export const TRACE_MAX_MS = 24 * 3_600_000;

export interface NotificationLog {
  contact_name: string;
  phone: string;
  status: string;
  submitted_at: number | null;
  delivered_at: number | null;
  [k: string]: unknown;
}

export interface EvidenceMedia {
  clipId: string;
  cameraId: string;
  file: string;
  contentType: 'video/mp4' | 'image/jpeg';
  [k: string]: unknown;
}

export interface EvidenceInput {
  alarm: Alarm;
  journal: JournalEntry[];
  siteName: string;
  sensor?: SensorRow;
  notifications: NotificationLog[];
  media: EvidenceMedia[];
  /** Raw readings of the alarm's sensor for [from, to). */
  readings?: (from: number, to: number) => AsyncIterable<RawReading[]>;
  lang: ReportLang;
  maskFaces: boolean;
  createdBy: string;
  now: number;
  timeZone?: string;
}

export interface EvidenceTools {
  key: EvidenceKey;
  /** Where masked copies are made (inside the data directory: CCTV stays 0700). */
  workDir: string;
  masker?: FaceMasker;
}

type Source = { path: string; buffer: Buffer } | { path: string; file: string; compress: boolean };

export class MaskingUnavailableError extends Error {
  readonly code = 'masking-unavailable';
}

/** Keeps the last four digits of a phone number: enough to tell contacts apart, not to call them. */
export const maskPhone = (p: string): string => p.replace(/\d(?=(?:\D*\d){4})/g, '•');

async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    h.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: h.digest('hex'), bytes };
}

async function collectText(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}

export interface BuiltEvidence {
  stream: Readable;
  files: EvidenceFile[];
  /** Faces found and masked over all media (masked bundles). */
  facesMasked: number;
  /** Removes the masked copies once the response has ended. */
  cleanup(): Promise<void>;
}

export async function buildEvidence(input: EvidenceInput, tools: EvidenceTools): Promise<BuiltEvidence> {
  const { alarm } = input;
  if (input.maskFaces && !tools.masker)
    throw new MaskingUnavailableError('evidence: face masking is not available in this center');
  const sources: Source[] = [];
  const json = (path: string, v: unknown) =>
    sources.push({ path, buffer: Buffer.from(`${JSON.stringify(v, null, 2)}\n`) });
  const text = (path: string, v: string) => sources.push({ path, buffer: Buffer.from(v) });

  json('alarm.json', { alarm, journal: input.journal });
  text(
    'journal.csv',
    csvRow(['ts', 'time_utc', 'action', 'actor', 'fromState', 'toState', 'comment']) +
      input.journal
        .map((j) => csvRow([j.ts, isoTime(j.ts), j.action, j.actor, j.fromState, j.toState, j.comment]))
        .join(''),
  );
  // Phone numbers are personal data too: a hand-over copy keeps the last four digits.
  const notes = input.notifications.map((n) => (input.maskFaces ? { ...n, phone: maskPhone(n.phone) } : n));
  json('notifications.json', notes);

  let trace: { count: number; min?: number; max?: number; bad: number; file?: string } = { count: 0, bad: 0 };
  if (input.sensor && input.readings) {
    const from = alarm.raisedAt - TRACE_MARGIN_MS;
    const end = alarm.clearedAt !== undefined ? alarm.clearedAt + TRACE_MARGIN_MS : input.now;
    const to = Math.min(end, input.now, alarm.raisedAt + TRACE_MAX_MS);
    const stats = { count: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, bad: 0 };
    const readings = input.readings;
    async function* counted(): AsyncGenerator<RawReading[]> {
      for await (const batch of readings(from, Math.max(to, from + 1))) {
        for (const r of batch) {
          stats.count++;
          if (r.value < stats.min) stats.min = r.value;
          if (r.value > stats.max) stats.max = r.value;
          if (r.quality !== 'good') stats.bad++;
        }
        yield batch;
      }
    }
    const path = `trace/${input.sensor.sensorId}.csv`;
    text(path, await collectText(readingsCsv(input.sensor, counted())));
    trace = stats.count > 0 ? { ...stats, file: path } : { count: 0, bad: 0, file: path };
  }

  let workDir: string | undefined;
  let facesMasked = 0;
  const media: { path: string; kind: 'snapshot' | 'clip'; cameraId: string }[] = [];
  for (const m of input.media) {
    const image = m.contentType === 'image/jpeg';
    const path = `media/${m.clipId}.${image ? 'jpg' : 'mp4'}`;
    let file = m.file;
    if (input.maskFaces && tools.masker) {
      workDir ??= await mkdtemp(join(tools.workDir, 'evidence-'));
      const out = join(workDir, `${m.clipId}.${image ? 'jpg' : 'mp4'}`);
      const r = image ? await tools.masker.maskImage(m.file, out) : await tools.masker.maskVideo(m.file, out);
      facesMasked += r.faces;
      file = out;
    }
    sources.push({ path, file, compress: false });
    media.push({ path, kind: image ? 'snapshot' : 'clip', cameraId: m.cameraId });
  }
  json(
    'media/index.json',
    input.media.map(({ file: _f, ...m }) => ({
      ...m,
      file: `media/${m.clipId}.${m.contentType === 'image/jpeg' ? 'jpg' : 'mp4'}`,
    })),
  );
  text(EVIDENCE_KEY_FILE, tools.key.publicKeyPem);

  const files: EvidenceFile[] = [];
  for (const s of sources) {
    const d = 'buffer' in s ? { sha256: sha256Hex(s.buffer), bytes: s.buffer.length } : await hashFile(s.file);
    files.push({ path: s.path, ...d });
  }
  const report = Buffer.from(
    renderReport({
      lang: input.lang,
      timeZone: input.timeZone ?? 'Asia/Seoul',
      alarm,
      journal: input.journal,
      siteName: input.siteName,
      unit: input.sensor?.unit,
      notifications: notes.map((n) => ({
        contact: `${n.contact_name} ${n.phone}`,
        status: n.status,
        submittedAt: n.submitted_at,
        deliveredAt: n.delivered_at,
      })),
      trace,
      media,
      files,
      masked: input.maskFaces,
      createdAt: input.now,
      createdBy: input.createdBy,
      keyId: tools.key.keyId,
    }),
  );
  sources.push({ path: 'report.html', buffer: report });
  files.push({ path: 'report.html', sha256: sha256Hex(report), bytes: report.length });

  const manifest = signEvidenceManifest(
    {
      format: EVIDENCE_FORMAT,
      alarmId: alarm.id,
      siteId: alarm.siteId,
      createdAt: input.now,
      createdBy: input.createdBy,
      lang: input.lang,
      masked: input.maskFaces ? 'faces' : 'none',
      files,
    },
    tools.key.privateKey,
  );
  const zip = new ZipFile();
  const mtime = new Date(input.now);
  for (const s of sources) {
    if ('buffer' in s) zip.addBuffer(s.buffer, s.path, { mtime, mode: 0o644 });
    else zip.addFile(s.file, s.path, { mtime, mode: 0o644, compress: s.compress });
  }
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), MANIFEST_FILE, { mtime, mode: 0o644 });
  zip.end();
  const dir = workDir;
  return {
    stream: zip.outputStream as Readable,
    files,
    facesMasked,
    cleanup: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** True when a clip file is still there (retention may have removed it since it was listed). */
export async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
