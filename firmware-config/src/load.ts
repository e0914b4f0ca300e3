/**
 * Reading a config file the way the agent's `--config` does: either a bare document (a hand-run
 * or simulated agent) or a signed envelope from `gwanje-config provision`/`sign`, which is
 * verified against the pinned key (`central.configPublicKeyFile` of the document inside, or
 * the key given). Errors are `path: message` lines in `ConfigFileError.errors`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseJson, type SignedConfig } from '@gwanje/protocol';
import type { AgentConfig } from './schema.js';
import { ConfigVerifyError, isEnvelope, verifySignedConfig } from './sign.js';
import { validateConfig } from './validate.js';

export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: string[],
  ) {
    super(`config: ${file}: ${errors.join('; ')}`);
    this.name = 'ConfigFileError';
  }
}

export interface LoadedConfig {
  document: AgentConfig;
  /** Present when the file was a signed envelope (verified). */
  envelope?: SignedConfig;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigFileError(path, [`(file): cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
}

/** Parses JSON text safely (no `__proto__` keys, bounded depth), or throws ConfigFileError. */
export function parseConfigText(file: string, text: string): unknown {
  try {
    return parseJson(text, 4 * 1024 * 1024);
  } catch (err) {
    throw new ConfigFileError(file, [`(root): ${(err as Error).message}`]);
  }
}

export async function loadConfigFile(file: string, opts: { publicKeyPem?: string } = {}): Promise<LoadedConfig> {
  const value = parseConfigText(file, await readText(file));
  if (!isEnvelope(value)) {
    const r = validateConfig(value);
    if (!r.ok) throw new ConfigFileError(file, r.errors);
    return { document: r.value };
  }
  let pem = opts.publicKeyPem;
  if (pem === undefined) {
    const keyFile = (value.document as { central?: { configPublicKeyFile?: unknown } } | undefined)?.central
      ?.configPublicKeyFile;
    if (typeof keyFile !== 'string') {
      throw new ConfigFileError(file, ['central.configPublicKeyFile: required to verify a signed config']);
    }
    // Relative key paths are relative to the config file (a provisioning bundle is relocatable).
    pem = await readText(resolve(dirname(file), keyFile));
  }
  try {
    return { document: verifySignedConfig(value, pem), envelope: value as unknown as SignedConfig };
  } catch (err) {
    if (err instanceof ConfigVerifyError) {
      throw new ConfigFileError(file, err.errors.length > 0 ? err.errors : [`(signature): ${err.message}`]);
    }
    throw err;
  }
}
