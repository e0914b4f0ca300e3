/**
 * Issue 18: nothing in a package's src/ is reachable only from tests. The import graph is walked
 * from the product's entry points (what `npm start`, the agent's bin, the config CLI, the admin CLI
 * and the console's index.html run); every source file it does not reach is dead and fails here.
 *
 * bench/ is not an entry: code only a benchmark reaches is dead too (a benchmark measures the
 * product, so what it measures must be the product's). The one allowance, ALLOWED_UNREACHED,
 * names its issue.
 *
 * It also keeps the purity line of issue 18: @gwanje/detection imports only @gwanje/protocol.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(new URL('..', import.meta.url).pathname);

/** What runs in production, and why each is an entry. */
export const ENTRIES = [
  'control-api/src/main.ts', // npm start (scripts/start.mjs -> launch.mjs), the center
  'edge-agent/src/sim/main.ts', // npm start (scripts/launch.mjs), the simulated province beside the center
  'control-api/src/admin-cli.ts', // npm run admin
  'edge-agent/src/main.ts', // edge-agent/bin/gwanje-edge.mjs through tsx
  'edge-agent/src/aot/bundle.ts', // edge-agent/bin/gwanje-edge.mjs builds the agent's bundle with it
  'firmware-config/src/cli.ts', // firmware-config/bin/gwanje-config.mjs
  'web-console/src/main.tsx', // web-console/index.html
  'deploy/edge-sim.ts', // docker-compose.yml's simulated agent
];

/** Source files allowed to be unreached, each with the issue that will reach them. */
export const ALLOWED_UNREACHED: Record<string, string> = {
  // (empty: issue 20 wired the native RTSP client, depacketizer and TS muxer, now @gwanje/media,
  // into the center and the agent; they had been reachable only from tests and bench/video)
};

const PACKAGES = readdirSync(ROOT).filter(
  (d) => existsSync(join(ROOT, d, 'package.json')) && existsSync(join(ROOT, d, 'src')),
);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/**
 * `@gwanje/x` and `@gwanje/x/sub` through each package's `exports`, subpath patterns included
 * (`"./schemas/*.js": "./src/schemas/*.ts"`: the console imports protocol schemas that way).
 */
export function packageTarget(spec: string): string | undefined {
  const m = /^@gwanje\/([a-z-]+)(\/.*)?$/.exec(spec);
  if (!m) return undefined;
  const dir = join(ROOT, m[1]);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: Record<string, string> };
  const sub = `.${m[2] ?? ''}`;
  const exact = pkg.exports?.[sub];
  if (exact) return join(dir, exact);
  for (const [key, target] of Object.entries(pkg.exports ?? {})) {
    const star = key.indexOf('*');
    if (star < 0 || target.indexOf('*') < 0) continue;
    const [head, tail] = [key.slice(0, star), key.slice(star + 1)];
    if (sub.length > head.length + tail.length && sub.startsWith(head) && sub.endsWith(tail))
      return join(dir, target.replace('*', sub.slice(head.length, sub.length - tail.length)));
  }
  return undefined;
}

function fileOf(base: string): string | undefined {
  const stem = base.replace(/\.(m?js|tsx?)$/, '');
  for (const c of [`${stem}.ts`, `${stem}.tsx`, base, join(base, 'index.ts'), join(base, 'index.tsx')])
    if (existsSync(c) && statSync(c).isFile()) return c;
  return undefined;
}

/** Static and dynamic imports, re-exports, and `new URL('./x.ts', import.meta.url)` (workers). */
export function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const specs = [
    ...src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g),
    ...src.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g),
    ...src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...src.matchAll(/new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g),
  ].map((m) => m[1]);
  const out: string[] = [];
  for (const spec of specs) {
    const target = spec.startsWith('.') ? fileOf(resolve(dirname(file), spec)) : packageTarget(spec);
    if (target) out.push(target);
  }
  return out;
}

export function reachable(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = entries.map((e) => join(ROOT, e));
  while (todo.length > 0) {
    const f = todo.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...importsOf(f));
  }
  return seen;
}

describe('structure (issue 18)', () => {
  it('every entry exists', () => {
    for (const e of ENTRIES) assert.ok(existsSync(join(ROOT, e)), e);
  });

  it('no source module is reachable only from tests or benchmarks', () => {
    const seen = reachable(ENTRIES);
    const sources = PACKAGES.flatMap((p) => walk(join(ROOT, p, 'src')));
    const dead = sources
      .map((f) => relative(ROOT, f))
      .filter((f) => !seen.has(join(ROOT, f)) && !(f in ALLOWED_UNREACHED));
    assert.deepEqual(
      dead,
      [],
      `reachable from no entry point (wire them into the product or delete them):\n${dead.join('\n')}`,
    );
  });

  it('the allowances are still needed', () => {
    const seen = reachable(ENTRIES);
    const stale = Object.keys(ALLOWED_UNREACHED).filter((f) => seen.has(join(ROOT, f)) || !existsSync(join(ROOT, f)));
    assert.deepEqual(stale, [], 'now reached from an entry, or gone: drop them from ALLOWED_UNREACHED');
  });

  it('the simulator is no run-time dependency of the center (issue 18)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'control-api/package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'])
      assert.equal(pkg[field]?.['@gwanje/edge-agent'], undefined, `control-api ${field} lists @gwanje/edge-agent`);
    const fromCenter = [...reachable(['control-api/src/main.ts'])].map((f) => relative(ROOT, f));
    assert.deepEqual(
      fromCenter.filter((f) => f.startsWith('edge-agent/')),
      [],
      'the center process loads edge-agent code',
    );
    // The walker does see the simulator from its own entry (this check can fail).
    assert.ok(reachable(['edge-agent/src/sim/main.ts']).has(join(ROOT, 'edge-agent/src/agent.ts')));
  });

  it('@gwanje/detection is pure: it imports @gwanje/protocol and its own files only', () => {
    const bad: string[] = [];
    for (const f of walk(join(ROOT, 'detection/src'))) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/from\s+['"]([^'"]+)['"]/g))
        if (!m[1].startsWith('.') && m[1] !== '@gwanje/protocol') bad.push(`${relative(ROOT, f)}: ${m[1]}`);
      for (const m of src.matchAll(/from\s+['"](\.[^'"]+)['"]/g))
        if (!resolve(dirname(f), m[1]).startsWith(join(ROOT, 'detection/src')))
          bad.push(`${relative(ROOT, f)}: ${m[1]}`);
    }
    assert.deepEqual(bad, []);
  });

  it('the walker follows what it must (a test that cannot fail is a defect)', () => {
    const seen = reachable(['control-api/src/main.ts']);
    for (const f of [
      'control-api/src/center.ts', // relative import
      'detection/src/engine.ts', // @gwanje/detection through exports
      'control-api/src/fire/worker.ts', // new URL('./worker.ts', import.meta.url)
    ])
      assert.ok(seen.has(join(ROOT, f)), f);
    assert.ok(!seen.has(join(ROOT, 'web-console/src/main.tsx')));
  });

  it('the console and the gateway are walked too (issue 18: every package, not only the center)', () => {
    // The console from its index.html entry, through .tsx files and protocol's subpath exports.
    const console = reachable(['web-console/src/main.tsx']);
    for (const f of [
      'web-console/src/api/http.ts',
      'web-console/src/alarms/AlarmPanel.tsx',
      'protocol/src/schemas/mutations.ts',
    ])
      assert.ok(console.has(join(ROOT, f)), f);
    assert.equal(packageTarget('@gwanje/protocol/schemas/routes.js'), join(ROOT, 'protocol/src/schemas/routes.ts'));
    // The gateway has no process of its own: the center runs it (@gwanje/gateway's exports).
    assert.ok(reachable(['control-api/src/main.ts']).has(join(ROOT, 'gateway/src/gateway.ts')));
    const packages = new Set(PACKAGES);
    for (const p of ['web-console', 'gateway', 'control-api', 'protocol']) assert.ok(packages.has(p), `${p} is walked`);
  });
});
