/**
 * A camera URL handed to ffmpeg without putting it on its command line (security review F12:
 * `/proc/<pid>/cmdline` is readable by every local user, and the URL carries the camera's
 * credentials): a one-entry ffconcat list (FFmpeg "concat" demuxer, `file` + `option` directives)
 * written to ffmpeg's stdin. Pure.
 */

/** ffmpeg input arguments reading the camera from an ffconcat list on stdin. */
export const FFCONCAT_STDIN_INPUT: readonly string[] = [
  ...['-f', 'concat', '-safe', '0', '-protocol_whitelist', 'pipe,rtsp,rtsps,rtp,tcp,udp,tls'],
  ...['-i', 'pipe:0'],
];

/**
 * The ffconcat list naming the camera: RTSP over TCP interleaving, and a socket timeout (5 s) so a
 * dead camera ends ffmpeg instead of hanging on the socket. `udp` for a server that refuses
 * interleaving (the native client's UnsupportedStreamError reason `transport`).
 */
export function rtspInputList(url: string, transport: 'tcp' | 'udp' = 'tcp'): string {
  if (/[\r\n]/.test(url)) throw new Error('ffconcat: a camera URL is one line');
  // av_get_token: inside single quotes everything is literal; a quote is closed, escaped, reopened.
  const file = `file '${url.replaceAll("'", "'\\''")}'`;
  return `ffconcat version 1.0\n${file}\noption rtsp_transport ${transport}\noption timeout 5000000\n`;
}
