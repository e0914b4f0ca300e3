/**
 * docker-compose.yml as the processes of a test see it: `docker-compose config` (installed for
 * validation; no engine runs here) resolves the variables, /usr/bin/python3's PyYAML (which
 * docker-compose itself runs on) turns it into JSON, and `localize` rewrites what only exists
 * inside the compose network (service host names, container paths and ports) to what the test's
 * processes use on this machine. Nothing else may differ: test/compose.test.ts holds the env the
 * process test builds against this.
 */
import { execFileSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

export interface ComposeService {
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: Array<{ published: number | string; target: number | string }>;
  command?: string[];
  entrypoint?: string[];
  healthcheck?: { test: string[] };
  extra_hosts?: string[];
}

export interface ComposeConfig {
  services: Record<string, ComposeService>;
}

/** The compose file(s) with `vars` as their environment (an .env file would give the same). */
export function composeConfig(vars: Record<string, string>, files = ['docker-compose.yml']): ComposeConfig {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...vars };
  const args = [...files.flatMap((f) => ['-f', f]), 'config'];
  const yaml = execFileSync('docker-compose', args, { cwd: root, env });
  const json = execFileSync(
    '/usr/bin/python3',
    ['-c', 'import json,sys,yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: yaml },
  );
  return JSON.parse(json.toString()) as ComposeConfig;
}

export interface Localization {
  /** Compose service name -> `127.0.0.1:<port>` of the process standing in for it, by service port. */
  hosts: Record<string, Record<number, number>>;
  /** Container port the service itself listens on -> the port its process binds here. */
  ports?: Record<number, number>;
  /** Named volume -> local directory. */
  volumes?: Record<string, string>;
}

/** Container path -> local path, from the service's volumes (bind mounts and named volumes). */
function mounts(svc: ComposeService, volumes: Record<string, string>): Array<[string, string]> {
  return (svc.volumes ?? []).map((v) => {
    const [source, target] = v.split(':');
    return [target, source.startsWith('/') || source.startsWith('.') ? source : (volumes[source] ?? source)];
  });
}

/** The service's environment as the process standing in for it gets it. */
export function localize(svc: ComposeService, l: Localization): Record<string, string> {
  const paths = mounts(svc, l.volumes ?? {}).sort((a, b) => b[0].length - a[0].length);
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(svc.environment ?? {})) {
    let v = String(raw);
    for (const [host, byPort] of Object.entries(l.hosts))
      for (const [port, local] of Object.entries(byPort)) v = v.replaceAll(`${host}:${port}`, `127.0.0.1:${local}`);
    if (/^\d+$/.test(v) && l.ports?.[Number(v)] !== undefined) v = String(l.ports[Number(v)]);
    const mount = paths.find(([target]) => v === target || v.startsWith(`${target}/`));
    if (mount) v = mount[1] + v.slice(mount[0].length);
    out[key] = v;
  }
  return out;
}
