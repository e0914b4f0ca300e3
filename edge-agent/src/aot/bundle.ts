/**
 * The shipped form of the agent: one plain-JS ESM file built by esbuild (no TypeScript loader at
 * run time, which alone costs ~35 MB RSS), with
 * - `ajv` replaced by the ahead-of-time validators (validators.ts) and `ajv-formats` by a no-op:
 *   no schema compiler in memory, the same validation;
 * - mqtt, pino and TypeBox bundled in (tree-shaken, one module scope instead of hundreds);
 * - `onvif` and `modbus-serial` left external and their users in separate chunks: the agent
 *   imports them only when a site configures ONVIF cameras or a Modbus driver.
 * Build-time only (esbuild comes with tsx).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { aotAjvModuleSource } from './validators.js';

export const BUNDLE_EXTERNAL = ['onvif', 'modbus-serial'];

const PKG_DIR = new URL('../../', import.meta.url).pathname;

/** esbuild plugin: `ajv` -> precompiled validators, `ajv-formats` -> identity. */
export function aotValidatorsPlugin(): Plugin {
  return {
    name: 'gwanje-aot-validators',
    setup(b) {
      b.onResolve({ filter: /^ajv(-formats)?$/ }, (args) => ({ path: args.path, namespace: 'gwanje-aot' }));
      b.onLoad({ filter: /.*/, namespace: 'gwanje-aot' }, (args) => ({
        contents: args.path === 'ajv' ? aotAjvModuleSource() : 'export default (ajv) => ajv;',
        loader: 'js',
        // The generated code requires ajv's small runtime helpers (ucs2length, equal, uri).
        resolveDir: PKG_DIR,
      }));
    },
  };
}

export interface BundleOptions {
  entry?: string;
  /** Output directory; the entry becomes `<outdir>/gwanje-edge.mjs`, lazy parts `chunk-*.mjs`. */
  outdir: string;
  minify?: boolean;
  /** Import onvif / modbus-serial by absolute path, for a bundle built outside this package. */
  absoluteExternals?: boolean;
}

/** Resolves the external packages from this package, so a bundle elsewhere still finds them. */
function absoluteExternalsPlugin(): Plugin {
  const req = createRequire(import.meta.url);
  return {
    name: 'gwanje-absolute-externals',
    setup(b) {
      const filter = new RegExp(`^(${BUNDLE_EXTERNAL.join('|')})$`);
      b.onResolve({ filter }, (args) => ({ path: pathToFileURL(req.resolve(args.path)).href, external: true }));
    },
  };
}

/** Builds the agent (or another entry, e.g. a test's) into one file. */
export async function bundleAgent(o: BundleOptions): Promise<void> {
  // Chunk names carry a content hash: drop the previous build's so they do not pile up.
  mkdirSync(o.outdir, { recursive: true });
  for (const f of readdirSync(o.outdir)) if (/^(chunk-.*|gwanje-edge)\.mjs$/.test(f)) rmSync(join(o.outdir, f));
  await build({
    entryPoints: [o.entry ?? new URL('../main.ts', import.meta.url).pathname],
    outdir: o.outdir,
    entryNames: 'gwanje-edge',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    // Code splitting keeps the dynamic imports lazy: without it esbuild hoists the external
    // `onvif` / `modbus-serial` imports of cameras/onvif.ts and drivers/modbus.ts to the top
    // of the one file, loading them (and serialport's native binding) on every box.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: BUNDLE_EXTERNAL,
    plugins: o.absoluteExternals ? [aotValidatorsPlugin(), absoluteExternalsPlugin()] : [aotValidatorsPlugin()],
    minify: o.minify ?? true,
    keepNames: true,
    legalComments: 'none',
    // CJS dependencies bundled into ESM still call require() for node builtins.
    banner: {
      js: "import { createRequire as __gwanjeCreateRequire } from 'node:module'; const require = __gwanjeCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
