/**
 * The center's evidence signing key (issue 21): Ed25519, made on first start. It signs evidence
 * bundle manifests only (config envelopes are signed on the operator's machine with
 * `gwanje-config sign`, whose private key never reaches the center).
 *
 * Where it lives, like the token secret (security review F17): `GWANJE_EVIDENCE_KEY` (a PKCS#8
 * PEM file, 0600) when set; else with SQLite `keys/evidence-ed25519.pem` (0600) in the data
 * directory; else (PostgreSQL, several instances must sign with one key) the settings table.
 * The public half is `GET /api/v1/evidence/public-key.pem`.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { keyIdOf, publicKeyPem } from '@gwanje/firmware-config';
import type { SettingsStore } from '../auth/ports.js';

export const EVIDENCE_KEY_SETTING = 'evidence.ed25519';

export interface EvidenceKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  keyId: string;
}

function parse(pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new Error(`evidence: ${where} holds no readable private key (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`evidence: ${where} is not an Ed25519 private key`);
  return key;
}

const newPem = (): string =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function fromFile(file: string, create: boolean): KeyObject {
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return parse(readFileSync(file, 'utf8'), file);
  }
  if (!create) throw new Error(`evidence: GWANJE_EVIDENCE_KEY: ${file} does not exist`);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // 'wx': never replace a key another process just wrote.
  writeFileSync(file, newPem(), { mode: 0o600, flag: 'wx' });
  return parse(readFileSync(file, 'utf8'), file);
}

export async function loadEvidenceKey(src: {
  /** GWANJE_EVIDENCE_KEY: must exist. */
  configuredFile?: string;
  /** SQLite: the data directory's key file, created when missing. */
  keyFile?: string;
  /** PostgreSQL: shared by every instance. */
  settings: SettingsStore;
}): Promise<EvidenceKey> {
  let key: KeyObject;
  if (src.configuredFile) key = fromFile(src.configuredFile, false);
  else if (src.keyFile) key = fromFile(src.keyFile, true);
  else {
    let pem = await src.settings.get(EVIDENCE_KEY_SETTING);
    if (pem === undefined) {
      await src.settings.set(EVIDENCE_KEY_SETTING, newPem());
      // Two instances starting together: both take whatever was stored last.
      pem = await src.settings.get(EVIDENCE_KEY_SETTING);
    }
    key = parse(pem ?? '', `setting ${EVIDENCE_KEY_SETTING}`);
  }
  return { privateKey: key, publicKeyPem: publicKeyPem(key), keyId: keyIdOf(key) };
}
