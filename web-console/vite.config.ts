// Vite config for the operator console. esbuild compiles TSX (no React plugin needed).
// Protocol imports are aliased to its pure type/constant modules so Ajv never enters the bundle.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const center = process.env.GWANJE_CENTER_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: here('.'),
  base: '/',
  esbuild: { jsx: 'automatic' },
  resolve: {
    alias: [
      { find: /^@gwanje\/protocol\/schemas\/(.*)$/, replacement: `${here('../protocol/src/schemas')}/$1` },
      { find: '@gwanje/protocol/socket', replacement: here('../protocol/src/socket.ts') },
      // Secret masking (issue 21: a config file is previewed with its passwords masked).
      { find: '@gwanje/protocol/redact', replacement: here('../protocol/src/redact.ts') },
      // The gas-safety table (issue 15): plain constants and pure functions, no schema library.
      { find: '@gwanje/protocol/safety', replacement: here('../protocol/src/safety/index.ts') },
      // Camera-loss family alarm types (issue 20): constants only.
      { find: /^@gwanje\/protocol\/video\/(.*)\.js$/, replacement: `${here('../protocol/src/video')}/$1.ts` },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  // `npm run -w web-console dev` against a running center (GWANJE_CENTER_URL).
  server: {
    proxy: {
      '/api': center,
      '/socket.io': { target: center, ws: true },
      '/video': { target: center, ws: true },
    },
  },
});
