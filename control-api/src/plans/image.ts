/**
 * Issue 21: what an uploaded site plan is, decided by its bytes (magic numbers), never by the
 * Content-Type or file name the client sent. PNG and JPEG are read for their size; SVG is parsed
 * for its size and stripped of everything active (scripts, event handlers, foreign objects,
 * outside references), and is served besides with a CSP that runs nothing. A PDF page is turned
 * into a PNG by `pdftoppm` (poppler-utils) when it is installed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiErrorWhy as Why } from '@gwanje/protocol';

export const PLAN_MAX_BYTES = 10 * 1024 * 1024;
export const PLAN_MAX_SIDE = 16_384;

export type PlanMime = 'image/png' | 'image/jpeg' | 'image/svg+xml';

export interface PlanImage {
  mime: PlanMime;
  width: number;
  height: number;
  bytes: Buffer;
}

/** A plan the center refuses: `field` and `code` go into the 4xx error body. */
/** A plan image that cannot be read as the named kind. */
const unreadable = (kind: string): Why => ({ reason: 'plan-unreadable', params: { kind } });

export class PlanImageError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: string,
    message: string,
    /** Why, for the console's translation (issue 21). */
    readonly why: Why = { reason: 'plan-unreadable', params: { kind: 'image' } },
  ) {
    super(`plan: ${message}`);
  }
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function sniff(b: Buffer): 'png' | 'jpeg' | 'pdf' | 'svg' | undefined {
  if (b.subarray(0, 8).equals(PNG_MAGIC)) return 'png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  const head = b
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  // An XML declaration, comments and a doctype may come first; the root element must be <svg.
  const rest = head.replace(
    /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>\s*)?(<!--[\s\S]*?-->\s*)*/i,
    '',
  );
  if (/^<svg[\s>]/i.test(rest)) return 'svg';
  return undefined;
}

function pngSize(b: Buffer): { width: number; height: number } {
  if (b.length < 24 || b.subarray(12, 16).toString('latin1') !== 'IHDR')
    throw new PlanImageError(400, 'bad-image', 'PNG without an IHDR chunk', unreadable('PNG'));
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** JPEG: walk the markers to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC). */
function jpegSize(b: Buffer): { width: number; height: number } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = b[i + 1];
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  throw new PlanImageError(400, 'bad-image', 'JPEG without a frame header', unreadable('JPEG'));
}

const num = (v: string | undefined): number | undefined => {
  const m = v && /^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$/.exec(v);
  return m ? Number(m[1]) : undefined;
};

/** Removes what can run or reach out from an SVG; keeps shapes, text, styles and inline images. */
export function sanitizeSvg(text: string): string {
  if (/<!ENTITY/i.test(text))
    throw new PlanImageError(400, 'bad-image', 'SVG with entity declarations is refused', unreadable('SVG'));
  return (
    text
      .replace(/<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>/gi, '')
      .replace(/<(script|foreignObject|iframe|embed|object|audio|video|handler|listener)\b[\s\S]*?<\/\1\s*>/gi, '')
      .replace(/<(script|foreignObject|iframe|embed|object|audio|video|handler|listener)\b[^>]*\/?>/gi, '')
      // Event handler attributes (onload=, onclick=, ...), quoted or not.
      .replace(/\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '')
      // References: only same-document (#id) and inline raster images stay.
      .replace(/\s+(xlink:)?href\s*=\s*("[^"]*"|'[^']*')/gi, (m, _x, v: string) =>
        /^["']\s*(#|data:image\/(png|jpeg|gif|webp);)/i.test(v) ? m : '',
      )
      .replace(/url\(\s*(['"]?)(?!#|data:image\/)[^)]*\)/gi, 'none')
      .replace(/@import[^;]*;?/gi, '')
  );
}

function svgPlan(b: Buffer): PlanImage {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new PlanImageError(400, 'bad-image', 'SVG is not UTF-8', unreadable('SVG'));
  }
  const clean = sanitizeSvg(text);
  const root = /<svg\b([^>]*)>/i.exec(clean)?.[1] ?? '';
  const attr = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(root)?.[1];
  const vb = attr('viewBox')
    ?.trim()
    .split(/[\s,]+/)
    .map(Number);
  let width = num(attr('width'));
  let height = num(attr('height'));
  if ((width === undefined || height === undefined) && vb?.length === 4 && vb.every(Number.isFinite)) {
    width = vb[2];
    height = vb[3];
  }
  if (!width || !height)
    throw new PlanImageError(400, 'bad-image', 'SVG needs a viewBox or width and height', unreadable('SVG'));
  return { mime: 'image/svg+xml', width: Math.round(width), height: Math.round(height), bytes: Buffer.from(clean) };
}

/** PDF page -> PNG at 150 dpi with poppler's pdftoppm (no shell, input from a private temp dir). */
async function pdfPage(b: Buffer, page: number, pdftoppm: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'gwanje-plan-'));
  try {
    await writeFile(join(dir, 'in.pdf'), b, { mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      execFile(
        pdftoppm,
        [
          '-png',
          '-r',
          '150',
          '-f',
          String(page),
          '-l',
          String(page),
          '-singlefile',
          join(dir, 'in.pdf'),
          join(dir, 'out'),
        ],
        { timeout: 30_000 },
        (err, _out, stderr) => {
          if (!err) return resolve();
          const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
          reject(
            missing
              ? new PlanImageError(
                  415,
                  'pdf-unsupported',
                  'PDF plans need pdftoppm (poppler-utils); upload the page as PNG or SVG',
                  { reason: 'plan-pdf-unsupported' },
                )
              : new PlanImageError(
                  400,
                  'bad-image',
                  `PDF page ${page} not rendered: ${String(stderr).trim().slice(0, 200)}`,
                  { reason: 'plan-pdf-page', params: { page } },
                ),
          );
        },
      );
    });
    return await readFile(join(dir, 'out.png'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Checks an upload and returns what to store; throws PlanImageError naming what is wrong. */
export async function readPlan(b: Buffer, o: { page?: number; pdftoppm?: string } = {}): Promise<PlanImage> {
  if (b.length === 0)
    throw new PlanImageError(400, 'bad-image', 'body is empty; send the image bytes', { reason: 'plan-empty' });
  if (b.length > PLAN_MAX_BYTES)
    throw new PlanImageError(413, 'too-large', `larger than ${PLAN_MAX_BYTES} bytes`, {
      reason: 'plan-too-large',
      params: { max: PLAN_MAX_BYTES },
    });
  const kind = sniff(b);
  let plan: PlanImage;
  if (kind === 'png') plan = { mime: 'image/png', ...pngSize(b), bytes: b };
  else if (kind === 'jpeg') plan = { mime: 'image/jpeg', ...jpegSize(b), bytes: b };
  else if (kind === 'svg') plan = svgPlan(b);
  else if (kind === 'pdf') {
    const png = await pdfPage(b, o.page ?? 1, o.pdftoppm ?? 'pdftoppm');
    plan = { mime: 'image/png', ...pngSize(png), bytes: png };
  } else
    throw new PlanImageError(415, 'unsupported-media-type', 'not a PNG, JPEG, SVG or PDF (by its first bytes)', {
      reason: 'plan-type',
    });
  if (plan.width < 1 || plan.height < 1 || plan.width > PLAN_MAX_SIDE || plan.height > PLAN_MAX_SIDE)
    throw new PlanImageError(400, 'bad-image', `size ${plan.width}x${plan.height} outside 1..${PLAN_MAX_SIDE}`, {
      reason: 'plan-dimensions',
      params: { width: plan.width, height: plan.height, max: PLAN_MAX_SIDE },
    });
  return plan;
}

/** Served with every plan image: nothing in it may run, load or be framed. */
export const PLAN_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox";
