#!/usr/bin/env node
// `npm run -w edge-agent bundle` (also run by `npm install`, see package.json "prepare"): builds
// dist/gwanje-edge.mjs (+ lazy chunks), the form the `gwanje-edge` bin runs (src/aot/bundle.ts says what is in it).
import { tsImport } from 'tsx/esm/api';

const { bundleAgent } = await tsImport('../src/aot/bundle.ts', import.meta.url);
const outdir = process.argv[2] ?? new URL('../dist', import.meta.url).pathname;
await bundleAgent({ outdir });
process.stdout.write(`gwanje-edge: bundled ${outdir}/gwanje-edge.mjs\n`);
