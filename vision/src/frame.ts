/**
 * RGB frames (packed rgb24, row-major) and the few pure operations the detector needs on them:
 * area-average resize and crop. No I/O: frames come from ffmpeg (gateway sampler, bench decoder).
 */
export interface RgbFrame {
  width: number;
  height: number;
  /** width * height * 3 bytes, R G B per pixel. */
  data: Uint8Array;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function frameOf(width: number, height: number, data: Uint8Array): RgbFrame {
  if (data.length !== width * height * 3) {
    throw new Error(`vision: frame ${width}x${height} needs ${width * height * 3} bytes, got ${data.length}`);
  }
  return { width, height, data };
}

/**
 * Resamples the `src` region `box` (default: all of it) to `w` x `h` by averaging the source
 * pixels that fall into each target pixel (box filter), or bilinear when enlarging. Output as
 * Float32 in [0, 1] when `float` is set (what the CNN takes), else rgb24 bytes.
 */
export function resample(src: RgbFrame, w: number, h: number, box?: Box): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  resampleInto(src, w, h, box, out);
  return out;
}

export function resampleInto(
  src: RgbFrame,
  w: number,
  h: number,
  box: Box | undefined,
  out: Uint8Array | Float32Array,
): void {
  const b = box ?? { x: 0, y: 0, w: src.width, h: src.height };
  const sx = b.w / w;
  const sy = b.h / h;
  const scale = out instanceof Float32Array ? 1 / 255 : 1;
  const d = src.data;
  for (let ty = 0; ty < h; ty++) {
    const y0 = b.y + ty * sy;
    const y1 = y0 + Math.max(sy, 1);
    const iy0 = clamp(Math.floor(y0), 0, src.height - 1);
    const iy1 = clamp(Math.ceil(y1) - 1, iy0, src.height - 1);
    for (let tx = 0; tx < w; tx++) {
      const x0 = b.x + tx * sx;
      const x1 = x0 + Math.max(sx, 1);
      const ix0 = clamp(Math.floor(x0), 0, src.width - 1);
      const ix1 = clamp(Math.ceil(x1) - 1, ix0, src.width - 1);
      let r = 0;
      let g = 0;
      let bl = 0;
      let n = 0;
      for (let y = iy0; y <= iy1; y++) {
        let o = (y * src.width + ix0) * 3;
        for (let x = ix0; x <= ix1; x++, o += 3) {
          r += d[o];
          g += d[o + 1];
          bl += d[o + 2];
          n++;
        }
      }
      const t = (ty * w + tx) * 3;
      out[t] = (r / n) * scale;
      out[t + 1] = (g / n) * scale;
      out[t + 2] = (bl / n) * scale;
    }
  }
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** A square box of side `side` centred on `c`, shifted to lie inside a `width` x `height` frame. */
export function squareAround(c: Box, side: number, width: number, height: number): Box {
  const s = Math.min(side, width, height);
  const cx = c.x + c.w / 2;
  const cy = c.y + c.h / 2;
  return {
    x: clamp(Math.round(cx - s / 2), 0, width - s),
    y: clamp(Math.round(cy - s / 2), 0, height - s),
    w: s,
    h: s,
  };
}
