/**
 * A private PostgreSQL cluster for a test (RECIPES "PostgreSQL"): initdb + pg_ctl as the postgres
 * user on a free port, password (SCRAM) auth over TCP like a production server, so a test can
 * stop and start it (the machine's shared server must never be stopped). ~2-3 s to create.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface PostgresCluster {
  port: number;
  /** `postgres://user:password@127.0.0.1:port/db` for a role and database made by `createRole`. */
  url(user: string, password: string, db: string): string;
  /** Creates a login role with a password and a database it owns. */
  createRole(user: string, password: string, db: string): void;
  stop(): void;
  start(): void;
  /** Stops the server and removes its files. */
  destroy(): void;
}

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name);
  return name;
}

/** As the postgres user when we are root (initdb refuses to run as root). */
function asPostgres(cmd: string, args: string[]): string {
  const [file, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return execFileSync(file, argv, { stdio: 'pipe', timeout: 60_000 }).toString();
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  asPostgres(pgBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  // Local socket: trust (the test's own admin commands); TCP: passwords, as in production.
  writeFileSync(
    join(data, 'pg_hba.conf'),
    'local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n',
  );
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = () => {
    asPostgres(pgBin('pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  };
  const stop = () => {
    asPostgres(pgBin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  start();
  const psql = (sql: string) => asPostgres(pgBin('psql'), ['-h', dir, '-p', String(port), '-U', 'postgres', '-c', sql]);
  return {
    port,
    url: (user, password, db) =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`,
    createRole(user, password, db) {
      psql(`CREATE ROLE "${user}" LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
      psql(`CREATE DATABASE "${db}" OWNER "${user}"`);
    },
    stop,
    start,
    destroy() {
      // A test may have stopped it and failed before starting it again.
      if (existsSync(join(data, 'postmaster.pid'))) stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
