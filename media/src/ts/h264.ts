/**
 * H.264 Annex B byte stream (ITU-T H.264 §B.1): NAL units behind 00 00 01 start codes;
 * nal_unit_type (§7.4.1, table 7-1) 5 = IDR slice, 7 = SPS, 8 = PPS, 9 = access unit delimiter.
 * Pure: no I/O.
 */
export const NAL_SLICE = 1;
export const NAL_IDR = 5;
export const NAL_SEI = 6;
export const NAL_SPS = 7;
export const NAL_PPS = 8;
export const NAL_AUD = 9;

/** nal_unit_type of every NAL unit whose start code lies in `buf`, in order. */
export function nalUnitTypes(buf: Uint8Array, from = 0, to = buf.length): number[] {
  const types: number[] = [];
  for (let i = from; i + 3 < to; i++) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      types.push(buf[i + 3] & 0x1f);
      i += 3;
    }
  }
  return types;
}

/** True when the bytes start a random-access point: an IDR slice, or SPS (x264 sends SPS before each IDR). */
export function startsKeyframe(types: number[]): boolean {
  return types.includes(NAL_IDR) || types.includes(NAL_SPS);
}
