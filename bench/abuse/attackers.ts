/**
 * Hostile clients for the abuse bench (issue 16, security review F3, F9, F10). Each keeps a number
 * of attacking connections going until stopped, reconnecting as the center closes them, and
 * counts what happened. Sockets come from many loopback addresses (127.0.1.x: all of 127/8 is
 * loopback on Linux), as a distributed attacker's would; the legitimate agent uses 127.0.0.1.
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

export interface AttackStats {
  /** Connections (or requests) the attacker opened. */
  attempts: number;
  /** Of those, closed by the center within 100 ms of opening (refused at the door). */
  refusedAtOnce: number;
  /** Open right now (the attacker's view). */
  open: number;
  /** Most open at once. */
  maxOpen: number;
  /** Bytes the attacker got written into the center's sockets. */
  bytesSent: number;
  /** HTTP status or CONNACK code -> count. */
  answers: Record<string, number>;
}

export interface Attack {
  name: string;
  stats: AttackStats;
  stop(): Promise<void>;
}

const ADDRESSES = Array.from({ length: 64 }, (_, i) => `127.0.1.${i + 1}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newStats(): AttackStats {
  return { attempts: 0, refusedAtOnce: 0, open: 0, maxOpen: 0, bytesSent: 0, answers: {} };
}

/**
 * Runs `slots` loops; each opens a socket, lets `use` drive it until it closes, and starts again.
 * `use` resolves when the socket is done.
 */
function loop(name: string, slots: number, use: (s: Socket, st: AttackStats) => void, port: number): Attack {
  const st = newStats();
  let running = true;
  const sockets = new Set<Socket>();
  const one = async (i: number) => {
    while (running) {
      const opened = performance.now();
      const s = connect({ port, host: '127.0.0.1', localAddress: ADDRESSES[i % ADDRESSES.length] });
      sockets.add(s);
      st.attempts++;
      st.open++;
      st.maxOpen = Math.max(st.maxOpen, st.open);
      s.on('error', () => undefined);
      s.once('connect', () => use(s, st));
      await new Promise<void>((resolve) => s.once('close', () => resolve()));
      sockets.delete(s);
      st.open--;
      if (performance.now() - opened < 100) st.refusedAtOnce++;
      // A refused attacker comes straight back, but not in a busy loop that only burns the bench's CPU.
      await sleep(50);
    }
  };
  const loops = Array.from({ length: slots }, (_, i) => one(i));
  return {
    name,
    stats: st,
    async stop() {
      running = false;
      for (const s of sockets) s.destroy();
      await Promise.all(loops);
    },
  };
}

/** Unauthenticated MQTT connections that send the first byte of a CONNECT and then nothing (F3). */
export const mqttIdleFlood = (port: number, slots: number): Attack =>
  loop(
    'mqtt-idle',
    slots,
    (s, st) => {
      s.write(Buffer.from([0x10]));
      st.bytesSent += 1;
    },
    port,
  );

/** CONNECTs announcing 256 MiB whose bytes then keep coming (the review's F3 reproduction). */
export const mqttOversize = (port: number, slots: number): Attack =>
  loop(
    'mqtt-oversize',
    slots,
    (s, st) => {
      s.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
      const chunk = Buffer.alloc(1 << 20);
      const pump = () => {
        while (!s.destroyed && s.write(chunk)) st.bytesSent += chunk.length;
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    },
    port,
  );

/** MQTT CONNECTs with the right agentId and a wrong password, one after another per slot (F9). */
export function mqttWrongPassword(port: number, slots: number, agentId: string): Attack {
  let n = 0;
  return loop(
    'mqtt-wrong-password',
    slots,
    (s, st) => {
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on('packet', (p) => {
        if (p.cmd !== 'connack') return;
        const code = String((p as mqttPacket.IConnackPacket).returnCode);
        st.answers[code] = (st.answers[code] ?? 0) + 1;
        s.destroy();
      });
      s.on('data', (b) => parser.parse(b));
      const packet = mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: agentId,
        clean: true,
        keepalive: 30,
        username: agentId,
        password: Buffer.from(`wrong-${++n}`),
      });
      s.write(packet);
      st.bytesSent += packet.length;
    },
    port,
  );
}

/** Upgrade requests to a path nobody serves, held open (F10, secB's fix). */
export const upgradeFlood = (port: number, slots: number): Attack =>
  loop(
    'http-upgrade',
    slots,
    (s, st) => {
      const req = 'GET /x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
      s.write(req);
      st.bytesSent += req.length;
    },
    port,
  );

/** Video pushes with the right agentId and a wrong password (F9 over HTTP Basic). */
export function ingestWrongPassword(port: number, slots: number, agentId: string, cameraId: string): Attack {
  const st = newStats();
  let running = true;
  let n = 0;
  const one = async (i: number) => {
    while (running) {
      st.attempts++;
      const status = await new Promise<string>((resolve) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            localAddress: ADDRESSES[i % ADDRESSES.length],
            method: 'POST',
            path: `/video/ingest/${cameraId}`,
            headers: { authorization: `Basic ${Buffer.from(`${agentId}:wrong-${++n}`).toString('base64')}` },
          },
          (res) => {
            res.resume();
            resolve(String(res.statusCode));
          },
        );
        req.on('error', () => resolve('error'));
        req.end();
      });
      st.answers[status] = (st.answers[status] ?? 0) + 1;
    }
  };
  const loops = Array.from({ length: slots }, (_, i) => one(i));
  return {
    name: 'ingest-wrong-password',
    stats: st,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
