#!/usr/bin/env node
// The `gwanje-edge` bin. Runs the bundle (dist/gwanje-edge.mjs, `npm run -w edge-agent bundle`)
// when present, else src/main.ts through tsx's loader, in this same process either way.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/gwanje-edge.mjs', import.meta.url);
if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/main.ts', import.meta.url).href);
}
