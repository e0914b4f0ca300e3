#!/usr/bin/env node
// `npm run -w edge-agent bundle` (also `prepare`, so `npm install` / `npm ci` builds it): writes
// dist/gwanje-edge.mjs (+ lazy chunks), the form the `gwanje-edge` bin runs (src/aot/bundle.ts
// says what is in it). `--if-possible` (prepare) only warns when tsx/esbuild are not installed,
// e.g. `npm ci --omit=dev`; the bin then falls back to building on first run or to tsx.
const ifPossible = process.argv.includes('--if-possible');
const outdir = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? new URL('../dist', import.meta.url).pathname;
try {
  const { tsImport } = await import('tsx/esm/api');
  const { bundleAgent } = await tsImport('../src/aot/bundle.ts', import.meta.url);
  await bundleAgent({ outdir });
  process.stdout.write(`gwanje-edge: bundled ${outdir}/gwanje-edge.mjs\n`);
} catch (err) {
  process.stderr.write(`gwanje-edge: bundle failed: ${err.message}\n`);
  if (!ifPossible) process.exit(1);
}
