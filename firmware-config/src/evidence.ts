/**
 * Evidence bundles (issue 21, CONTRACT `GET /api/v1/alarms/{id}/evidence`): a ZIP whose
 * `manifest.json` lists every other entry's SHA-256 and size and carries an Ed25519 signature
 * (over the canonical JSON of the manifest without `signature`) by the center's evidence key,
 * with that key's id. The center signs with `signEvidenceManifest`; anyone verifies offline with
 * `gwanje-config verify-evidence <zip> [--key center.pem]` (`verifyEvidenceZip`).
 *
 * Without `--key` the public key inside the bundle is used: that proves the files were not
 * changed after signing, not who signed. Pin the center's key (GET
 * /api/v1/evidence/public-key.pem, handed over out of band) to prove the origin too.
 */
import { createHash, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import yauzl from 'yauzl';
import { canonicalJson } from './canonical.js';
import { keyIdOf, publicKeyOf } from './keys.js';

export const EVIDENCE_FORMAT = 'gwanje-evidence/1';
export const MANIFEST_FILE = 'manifest.json';
/** The center's evidence public key (SPKI PEM), inside the bundle for convenience only. */
export const EVIDENCE_KEY_FILE = 'center-public-key.pem';

export interface EvidenceFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface EvidenceManifest {
  format: typeof EVIDENCE_FORMAT;
  alarmId: string;
  siteId: string;
  /** Epoch ms the bundle was made, and by whom (the audit trail has the same row). */
  createdAt: number;
  createdBy: string;
  lang: string;
  /** 'faces': people's faces in the snapshot and clips were masked for hand-over (PIPA). */
  masked: 'faces' | 'none';
  algorithm: 'Ed25519';
  keyId: string;
  files: EvidenceFile[];
  signature: string;
}

export type UnsignedManifest = Omit<EvidenceManifest, 'algorithm' | 'keyId' | 'signature'>;

const signingBytes = (m: Omit<EvidenceManifest, 'signature'>): Buffer => Buffer.from(canonicalJson(m), 'utf8');

export function signEvidenceManifest(m: UnsignedManifest, privateKey: KeyObject): EvidenceManifest {
  const body = { ...m, algorithm: 'Ed25519' as const, keyId: keyIdOf(privateKey) };
  return { ...body, signature: edSign(null, signingBytes(body), privateKey).toString('base64') };
}

export const sha256Hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export interface EntryDigest {
  sha256: string;
  bytes: number;
}

export interface EvidenceReport {
  ok: boolean;
  /** True when the signature was checked against a key given by the caller (origin proven). */
  pinned: boolean;
  keyId?: string;
  alarmId?: string;
  siteId?: string;
  createdAt?: number;
  createdBy?: string;
  masked?: string;
  files: number;
  problems: string[];
}

const SAFE_PATH = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,200}$/;

/**
 * Checks a manifest against the digests of a bundle's entries. Pure: the caller read the ZIP.
 * `pinnedKey` (PEM or key) wins over the key file inside the bundle.
 */
export function checkEvidence(
  manifestText: string | undefined,
  entries: ReadonlyMap<string, EntryDigest>,
  keys: { pinned?: string | KeyObject; bundled?: string },
): EvidenceReport {
  const problems: string[] = [];
  const report = (extra: Partial<EvidenceReport> = {}): EvidenceReport => ({
    ok: problems.length === 0,
    pinned: keys.pinned !== undefined,
    files: 0,
    problems,
    ...extra,
  });
  if (manifestText === undefined) {
    problems.push(`${MANIFEST_FILE}: missing`);
    return report();
  }
  let m: EvidenceManifest;
  try {
    m = JSON.parse(manifestText) as EvidenceManifest;
  } catch (err) {
    problems.push(`${MANIFEST_FILE}: not JSON (${(err as Error).message})`);
    return report();
  }
  if (m === null || typeof m !== 'object' || m.format !== EVIDENCE_FORMAT || !Array.isArray(m.files)) {
    problems.push(`${MANIFEST_FILE}: not a ${EVIDENCE_FORMAT} manifest`);
    return report();
  }
  const facts = {
    keyId: m.keyId,
    alarmId: m.alarmId,
    siteId: m.siteId,
    createdAt: m.createdAt,
    createdBy: m.createdBy,
    masked: m.masked,
    files: m.files.length,
  };
  const keyText = keys.pinned ?? keys.bundled;
  if (keyText === undefined)
    problems.push(`signature: no public key (give --key, or the bundle's ${EVIDENCE_KEY_FILE})`);
  else {
    try {
      const pub = publicKeyOf(keyText);
      const expected = keyIdOf(pub);
      if (m.keyId !== expected) problems.push(`keyId: manifest names ${m.keyId}, the key is ${expected}`);
      const { signature, ...body } = m;
      if (typeof signature !== 'string' || !edVerify(null, signingBytes(body), pub, Buffer.from(signature, 'base64')))
        problems.push('signature: does not verify (the manifest was changed or signed by another key)');
    } catch (err) {
      problems.push(`key: ${(err as Error).message}`);
    }
  }
  const listed = new Set<string>();
  for (const f of m.files) {
    if (!f || typeof f.path !== 'string' || !SAFE_PATH.test(f.path)) {
      problems.push(`files: unsafe or missing path ${JSON.stringify(f?.path)}`);
      continue;
    }
    if (listed.has(f.path)) problems.push(`${f.path}: listed twice`);
    listed.add(f.path);
    const got = entries.get(f.path);
    if (!got) problems.push(`${f.path}: listed in the manifest but not in the bundle`);
    else if (got.sha256 !== f.sha256 || got.bytes !== f.bytes)
      problems.push(`${f.path}: SHA-256 or size differs from the manifest (altered)`);
  }
  for (const path of entries.keys())
    if (path !== MANIFEST_FILE && !listed.has(path)) problems.push(`${path}: in the bundle but not in the manifest`);
  return report(facts);
}

/** Opens a ZIP and hashes every entry (streamed), keeping the manifest and key file texts. */
export async function digestZip(
  file: string,
): Promise<{ entries: Map<string, EntryDigest>; texts: Map<string, string> }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (err, z) =>
      err || !z ? reject(err ?? new Error('zip: cannot open')) : resolve(z),
    ),
  );
  const entries = new Map<string, EntryDigest>();
  const texts = new Map<string, string>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        if (entries.has(entry.fileName)) return reject(new Error(`zip: ${entry.fileName} appears twice`));
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error(`zip: cannot read ${entry.fileName}`));
          const hash = createHash('sha256');
          const keep = entry.fileName === MANIFEST_FILE || entry.fileName === EVIDENCE_KEY_FILE;
          const parts: Buffer[] = [];
          let bytes = 0;
          stream.on('data', (b: Buffer) => {
            hash.update(b);
            bytes += b.length;
            if (keep) parts.push(b);
          });
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, { sha256: hash.digest('hex'), bytes });
            if (keep) texts.set(entry.fileName, Buffer.concat(parts).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return { entries, texts };
}

export async function verifyEvidenceZip(file: string, pinnedKeyPem?: string): Promise<EvidenceReport> {
  const { entries, texts } = await digestZip(file);
  return checkEvidence(texts.get(MANIFEST_FILE), entries, {
    pinned: pinnedKeyPem,
    bundled: texts.get(EVIDENCE_KEY_FILE),
  });
}
