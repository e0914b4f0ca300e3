// Vite config for the operator console. esbuild compiles TSX (no React plugin needed).
// The console imports protocol's browser-usable subpaths (its package.json `exports`: schemas,
// socket, safety), never its root, so Ajv never enters the bundle.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const center = process.env.GWANJE_CENTER_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: here('.'),
  base: '/',
  esbuild: { jsx: 'automatic' },
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
