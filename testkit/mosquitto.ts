/**
 * A real Mosquitto 2 on a free port for a test. Anonymous by default; with `users` a password
 * file (mosquitto_passwd) and optional ACL lines are written. RECIPES: run as `user root` so it
 * can read a root-owned 0600 password file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';
import { spawnServer } from './process.js';

export interface MosquittoOptions {
  port?: number;
  users?: Record<string, string>;
  /** Raw mosquitto ACL file content (used when users are given). */
  acl?: string;
  extraConfig?: string;
  /** Dynamic-security plugin with this admin (mosquitto_ctrl dynsec init). */
  dynsec?: { adminUser: string; adminPassword: string };
}

const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

export interface MosquittoInstance {
  port: number;
  url: string;
  dir: string;
  stop(): Promise<void>;
  /** Stops and starts again on the same port (same persistence dir). */
  restart(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoInstance> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-mosq-'));
  const lines = [
    'user root',
    `listener ${port} 127.0.0.1`,
    'persistence true',
    `persistence_location ${dir}/`,
    'log_dest stdout',
    'log_type error',
    'max_queued_messages 1000000',
    'max_inflight_messages 0',
  ];
  if (opts.users) {
    const pw = join(dir, 'passwd');
    writeFileSync(pw, '', { mode: 0o600 });
    for (const [u, p] of Object.entries(opts.users)) execFileSync('mosquitto_passwd', ['-b', pw, u, p]);
    lines.push('allow_anonymous false', `password_file ${pw}`);
    if (opts.acl !== undefined) {
      writeFileSync(join(dir, 'acl'), opts.acl);
      lines.push(`acl_file ${join(dir, 'acl')}`);
    }
  } else if (opts.dynsec) {
    const file = join(dir, 'dynsec.json');
    execFileSync('mosquitto_ctrl', ['dynsec', 'init', file, opts.dynsec.adminUser, opts.dynsec.adminPassword]);
    lines.push('allow_anonymous false', `plugin ${DYNSEC_PLUGIN}`, `plugin_opt_config_file ${file}`);
  } else {
    lines.push('allow_anonymous true');
  }
  if (opts.extraConfig) lines.push(opts.extraConfig);
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);

  let server = spawnServer('mosquitto', ['-c', conf]);
  const up = async () => {
    await waitFor(() => portOpen(port), 10_000).catch((err) => {
      throw new Error(`mosquitto did not start: ${err.message}\n${server.output()}`);
    });
  };
  await up();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await server.stop();
      server = spawnServer('mosquitto', ['-c', conf]);
      await up();
    },
  };
}
