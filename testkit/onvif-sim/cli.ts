/**
 * A virtual ONVIF PTZ camera for demos: GStreamer RTSP test stream + the ONVIF simulator, with
 * WS-Discovery on. Point an edge agent's `cameras[].onvif.url` at the printed address (or set
 * `discovery.onvif: true`).
 *   node --import tsx testkit/onvif-sim/cli.ts [--port 8000] [--name "Gate PTZ"] [--user u --password p]
 */
import { parseArgs } from 'node:util';
import { startRtspServer } from '../rtsp.js';
import { startOnvifSimulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    name: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
  },
});
const rtsp = await startRtspServer({ path: 'main' });
const sim = await startOnvifSimulator({
  rtspUrl: rtsp.url,
  name: values.name,
  username: values.user,
  password: values.password,
  port: values.port ? Number(values.port) : undefined,
  discovery: true,
});
process.stdout.write(`ONVIF device service: ${sim.url}\nRTSP stream: ${rtsp.url}\n`);
// A motion event every 30 s so PullPoint forwarding shows up in the console.
const motion = setInterval(() => sim.emitEvent('tns1:VideoSource/MotionAlarm', { State: 'true' }), 30_000);
const stop = async () => {
  clearInterval(motion);
  await sim.stop();
  await rtsp.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
