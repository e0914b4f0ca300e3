#!/usr/bin/env node
// `npm run -w edge-agent bundle`: one plain-JS file for small boxes (no TypeScript loader at run
// time, which alone costs ~35 MB RSS). npm dependencies stay external. Uses the esbuild that tsx
// already brings.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../src/main.ts', import.meta.url).pathname],
  outfile: new URL('../dist/gwanje-edge.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['mqtt', 'pino', 'onvif', 'modbus-serial', 'ajv', 'ajv-formats', '@sinclair/typebox'],
  logLevel: 'warning',
});
