export { FFCONCAT_STDIN_INPUT, rtspInputList } from './ffconcat.js';
export { type FfmpegBinary, onPath, resolveFfmpeg, shippedFfmpeg } from './ffmpeg-binary.js';
export { Authenticator, type Challenge, type Credentials, parseChallenge, pickChallenge } from './rtsp/auth.js';
export {
  RtspClient,
  type RtspClientOptions,
  RtspError,
  splitCredentials,
  UnsupportedStreamError,
  withCredentials,
} from './rtsp/client.js';
export { H264Packetizer, type PacketizerOptions } from './rtsp/h264-packetizer.js';
export { type AccessUnit, H264Depacketizer } from './rtsp/h264-rtp.js';
export { type NativePull, startNativePull } from './rtsp/pull.js';
export { Slab } from './slab.js';
export * from './ts/index.js';
