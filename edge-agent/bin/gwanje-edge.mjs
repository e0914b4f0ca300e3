#!/usr/bin/env -S node --max-semi-space-size=1 --lite-mode --no-expose-wasm
// The `gwanje-edge` bin (what the systemd unit runs). It runs the prebuilt bundle (src/aot/bundle.ts;
// `npm install` / `npm run -w edge-agent bundle` make it) in this same process. V8 flags come from
// the shebang (`env -S`, coreutils >= 8.30): a 1 MB young generation and lite mode (no optimizing
// compiler, bytecode flushed) keep the agent near 56 MB RSS instead of ~70 (README "Footprint").
// A missing or stale bundle is rebuilt, into dist/ when writable, else into $STATE_DIRECTORY
// (systemd's StateDirectory, /var/lib/gwanje) or $GWANJE_EDGE_BUNDLE_DIR; when no build is
// possible it falls back to the TypeScript sources through tsx (~150 MB RSS) and says so.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = [join(pkg, 'src'), join(pkg, '..', 'protocol', 'src'), join(pkg, '..', 'firmware-config', 'src')];

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sourcesTime = Math.max(...SOURCES.filter((d) => existsSync(d)).map(newest));
const dirs = [join(pkg, 'dist'), process.env.GWANJE_EDGE_BUNDLE_DIR, process.env.STATE_DIRECTORY?.split(':')[0]]
  .filter(Boolean)
  .map((d, i) => (i === 0 ? d : join(d, 'edge-bundle')));
const fresh = (d) =>
  existsSync(join(d, 'gwanje-edge.mjs')) && statSync(join(d, 'gwanje-edge.mjs')).mtimeMs >= sourcesTime;

let entry = dirs.find(fresh);
if (!entry && !process.env.GWANJE_EDGE_NO_BUILD) {
  try {
    const { tsImport } = await import('tsx/esm/api');
    const { bundleAgent } = await tsImport('../src/aot/bundle.ts', import.meta.url);
    for (const d of dirs) {
      try {
        mkdirSync(d, { recursive: true });
        await bundleAgent({ outdir: d, absoluteExternals: d !== dirs[0] });
        entry = d;
        break;
      } catch (err) {
        process.stderr.write(`gwanje-edge: cannot bundle into ${d}: ${err.message}\n`);
      }
    }
  } catch (err) {
    process.stderr.write(`gwanje-edge: cannot build the bundle: ${err.message}\n`);
  }
}
if (entry) {
  await import(pathToFileURL(join(entry, 'gwanje-edge.mjs')).href);
} else {
  process.stderr.write('gwanje-edge: running the TypeScript sources through tsx (~150 MB RSS)\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/main.ts', import.meta.url).href);
}
