#!/usr/bin/env node
// The `gwanje-edge` bin: src/main.ts through tsx's loader, in this same process (no build step).
// Small boxes can run the plain-JS bundle instead: `npm run -w edge-agent bundle` then
// `node --max-semi-space-size=1 edge-agent/dist/gwanje-edge.mjs --config <file>` (README).
const { register } = await import('tsx/esm/api');
register();
await import(new URL('../src/main.ts', import.meta.url).href);
