/**
 * The parts of an SDP session description (RFC 8866) an RTSP client needs to pick and set up a
 * video track: media type, payload type, rtpmap encoding and clock rate, fmtp parameters and the
 * track's control URL (RFC 2326 §C.1.1). Pure: no I/O.
 */

export interface SdpMedia {
  /** `video`, `audio`, `application`... */
  type: string;
  payloadType: number;
  /** rtpmap encoding name, upper case (`H264`, `H265`, `MPEG4-GENERIC`), or '' when not mapped. */
  encoding: string;
  clockRate: number;
  /** fmtp parameters for `payloadType`, keys lower case. */
  fmtp: Record<string, string>;
  /** The a=control attribute as written (absolute URL, relative path or `*`), or ''. */
  control: string;
}

export interface SessionDescription {
  /** Session-level a=control, or ''. */
  control: string;
  media: SdpMedia[];
}

export function parseSdp(text: string): SessionDescription {
  const out: SessionDescription = { control: '', media: [] };
  let cur: SdpMedia | undefined;
  const rtpmap = new Map<SdpMedia, Map<number, string>>();
  const fmtps = new Map<SdpMedia, Map<number, string>>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length < 2 || line[1] !== '=') continue;
    const kind = line[0];
    const value = line.slice(2);
    if (kind === 'm') {
      // m=<media> <port> <proto> <fmt> ...
      const [type, , , fmt] = value.split(/\s+/);
      cur = { type: type ?? '', payloadType: Number(fmt), encoding: '', clockRate: 0, fmtp: {}, control: '' };
      out.media.push(cur);
      rtpmap.set(cur, new Map());
      fmtps.set(cur, new Map());
      continue;
    }
    if (kind !== 'a') continue;
    const colon = value.indexOf(':');
    const name = colon < 0 ? value : value.slice(0, colon);
    const arg = colon < 0 ? '' : value.slice(colon + 1).trim();
    if (name === 'control') {
      if (cur) cur.control = arg;
      else out.control = arg;
    } else if (cur && (name === 'rtpmap' || name === 'fmtp')) {
      const sp = arg.indexOf(' ');
      if (sp < 0) continue;
      const pt = Number(arg.slice(0, sp));
      (name === 'rtpmap' ? rtpmap : fmtps).get(cur)?.set(pt, arg.slice(sp + 1).trim());
    }
  }
  for (const m of out.media) {
    const map = rtpmap.get(m)?.get(m.payloadType);
    if (map) {
      const [enc, rate] = map.split('/');
      m.encoding = (enc ?? '').toUpperCase();
      m.clockRate = Number(rate) || 0;
    } else if (m.payloadType === 26) {
      m.encoding = 'JPEG'; // static payload type (RFC 3551)
      m.clockRate = 90_000;
    }
    const f = fmtps.get(m)?.get(m.payloadType);
    if (f) m.fmtp = parseFmtp(f);
  }
  return out;
}

function parseFmtp(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** sprop-parameter-sets (RFC 6184 §8.1): base64 NAL units, comma-separated; SPS is type 7, PPS 8. */
export function parameterSets(m: SdpMedia): { sps?: Buffer; pps?: Buffer } {
  const out: { sps?: Buffer; pps?: Buffer } = {};
  for (const b64 of (m.fmtp['sprop-parameter-sets'] ?? '').split(',')) {
    if (!b64) continue;
    const nal = Buffer.from(b64, 'base64');
    if (nal.length === 0) continue;
    const type = nal[0] & 0x1f;
    if (type === 7) out.sps = nal;
    else if (type === 8) out.pps = nal;
  }
  return out;
}

/**
 * The URL to SETUP a track (RFC 2326 §C.1.1): an absolute control URL as is; otherwise relative
 * to Content-Base (or Content-Location, or the request URL), with `*` meaning the base itself.
 */
export function controlUrl(base: string, control: string): string {
  if (!control || control === '*') return base;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(control)) return control;
  // RTSP servers write relative controls as path segments of the base (`trackID=1`): join, not
  // replace the last segment as URL resolution would.
  return base.endsWith('/') ? base + control : `${base}/${control}`;
}
