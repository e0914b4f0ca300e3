/**
 * Real Kannel for tests: bearerbox (fake SMSC) + smsbox (sendsms HTTP, sms-service get-url for
 * MO) + /usr/lib/kannel/test/fakesmsc standing in for the phones. The fake SMSC accepts one
 * fakesmsc client, so a reply (MO) is sent by a fresh fakesmsc that replaces the listener.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type Spawned, spawnServer, waitFor } from '../../testkit/index.js';

export interface Kannel {
  sendsmsUrl: string;
  username: string;
  password: string;
  /** MTs the phones received: {from, to, text}. */
  received(): Array<{ from: string; to: string; text: string }>;
  /** A phone sends a text (MO). */
  reply(from: string, to: string, text: string): Promise<void>;
  stop(): Promise<void>;
}

/** fakesmsc prints `<from to type msgdata>`; ucs-2 data is URL-encoded UTF-16BE. */
export function decodeFakeLine(line: string): { from: string; to: string; text: string } | undefined {
  const m = /Got message \d+: <(\S+) (\S+) (\S+) (.*)>/.exec(line);
  if (!m) return undefined;
  const [, from, to, type, data] = m;
  const bytes: number[] = [];
  const raw = data.replace(/\+/g, ' ');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '%' && /^[0-9a-f]{2}$/i.test(raw.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(raw.charCodeAt(i));
  }
  const buf = Buffer.from(bytes);
  const text = type === 'ucs-2' ? buf.swap16().toString('utf16le') : buf.toString('utf8');
  return { from, to, text };
}

export async function startKannel(o: { moUrl: string }): Promise<Kannel> {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-kannel-'));
  const [admin, box, smsc, sendsms] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const conf = join(dir, 'kannel.conf');
  writeFileSync(
    conf,
    `group = core
admin-port = ${admin}
admin-password = ${Math.random().toString(36).slice(2)}
smsbox-port = ${box}
log-level = 2
log-file = "${dir}/bearerbox.log"
box-allow-ip = 127.0.0.1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = ${smsc}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${box}
sendsms-port = ${sendsms}
log-file = "${dir}/smsbox.log"
log-level = 2

group = sendsms-user
username = gwanje
password = test-secret
max-messages = 10
concatenation = true

group = sms-service
keyword = default
get-url = "${o.moUrl}&from=%p&to=%P&text=%a"
max-messages = 0
catch-all = true
`,
  );
  const bearer = spawnServer('bearerbox', [conf]);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${admin}/status`).catch(() => null)) !== null, 10_000);
  const smsbox = spawnServer('smsbox', [conf]);
  const sendsmsUrl = `http://127.0.0.1:${sendsms}/cgi-bin/sendsms`;
  await waitFor(async () => (await fetch(sendsmsUrl).catch(() => null)) !== null, 10_000);

  const lines: string[] = [];
  let fake: Spawned | undefined;
  const startFake = async (mo?: string) => {
    const args = ['-H', '127.0.0.1', '-r', String(smsc), '-i', '3600', '-m', mo ? '1' : '0'];
    const f = spawnServer('/usr/lib/kannel/test/fakesmsc', [...args, mo ?? '0 0 text none']);
    let buf = '';
    const onData = (b: Buffer) => {
      buf += b.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const l of parts) if (l.includes('Got message')) lines.push(l);
    };
    f.proc.stdout?.on('data', onData);
    f.proc.stderr?.on('data', onData);
    fake = f;
    await waitFor(() => f.output().includes('fakesmsc starting'), 5000);
    // bearerbox accepts the fake SMSC connection asynchronously; give the link a moment to come up.
    await new Promise((r) => setTimeout(r, 700));
  };
  await startFake();
  return {
    sendsmsUrl,
    username: 'gwanje',
    password: 'test-secret',
    received: () => lines.map(decodeFakeLine).filter((x): x is NonNullable<typeof x> => x !== undefined),
    async reply(from, to, text) {
      await fake?.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      await startFake(`${from} ${to} text ${text}`);
    },
    async stop() {
      await fake?.stop('SIGKILL');
      await smsbox.stop();
      await bearer.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
