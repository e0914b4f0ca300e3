/**
 * Signed configuration envelopes (protocol `SignedConfig`, the retained payload of the agent's
 * `config` topic). The Ed25519 signature covers the canonical JSON of
 * {version, issuedAt, keyId, document}: changing any of them, or swapping the key, breaks it.
 */
import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { SignedConfig, validate } from '@gwanje/protocol';
import { canonicalJson, contentVersion } from './canonical.js';
import { keyIdOf, publicKeyOf } from './keys.js';
import type { AgentConfig } from './schema.js';
import { validateConfig } from './validate.js';

export type VerifyReason = 'envelope' | 'key-id' | 'signature' | 'version' | 'document' | 'identity';

export class ConfigVerifyError extends Error {
  constructor(
    readonly reason: VerifyReason,
    message: string,
    readonly errors: string[] = [],
  ) {
    super(`verify: ${message}`);
    this.name = 'ConfigVerifyError';
  }
}

/** signConfig refuses an invalid document; `errors` lists every `path: message`. */
export class InvalidConfigError extends Error {
  constructor(readonly errors: string[]) {
    super('sign: refusing to sign an invalid document');
    this.name = 'InvalidConfigError';
  }
}

/** The exact bytes that are signed. */
export function signingInput(e: Pick<SignedConfig, 'version' | 'issuedAt' | 'keyId' | 'document'>): Buffer {
  return Buffer.from(
    canonicalJson({ version: e.version, issuedAt: e.issuedAt, keyId: e.keyId, document: e.document }),
    'utf8',
  );
}

/**
 * Validates the document, stamps its content version and signs it. Throws with every
 * `path: message` when the document is invalid: nothing invalid is ever signed.
 */
export function signConfig(document: unknown, privateKey: KeyObject, opts: { now?: () => number } = {}): SignedConfig {
  const checked = validateConfig(document);
  if (!checked.ok) throw new InvalidConfigError(checked.errors);
  // Sign the document as written (defaults are the agent's business), with its version stamped.
  const doc = structuredClone(document) as Record<string, unknown>;
  doc.version = contentVersion(doc);
  const envelope = {
    version: doc.version as string,
    issuedAt: Math.trunc((opts.now ?? Date.now)()),
    keyId: keyIdOf(privateKey),
    document: doc,
  };
  const signature = edSign(null, signingInput(envelope), privateKey).toString('base64');
  return { ...envelope, signature };
}

export interface VerifyOptions {
  /** When set, the document must be for this agent (and site): a config for another Pi is refused. */
  agentId?: string;
  siteId?: string;
}

/**
 * Checks an envelope against the pinned public key and returns the validated document (defaults
 * applied). Throws ConfigVerifyError naming the first reason it cannot be trusted.
 */
export function verifySignedConfig(
  envelope: unknown,
  publicKey: string | KeyObject,
  opts: VerifyOptions = {},
): AgentConfig {
  const shape = validate(SignedConfig, envelope);
  if (!shape.ok)
    throw new ConfigVerifyError('envelope', `not a signed config (${shape.errors.join('; ')})`, shape.errors);
  const env = shape.value;
  const pub = publicKeyOf(publicKey);
  const expectedKeyId = keyIdOf(pub);
  if (env.keyId !== expectedKeyId) {
    throw new ConfigVerifyError('key-id', `wrong key id ${env.keyId} (pinned key is ${expectedKeyId})`);
  }
  const ok = edVerify(null, signingInput(env), pub, Buffer.from(env.signature, 'base64'));
  if (!ok)
    throw new ConfigVerifyError('signature', 'bad signature (document or envelope altered, or signed by another key)');
  if (env.document.version !== env.version) {
    throw new ConfigVerifyError('version', `envelope version ${env.version} differs from document version`);
  }
  const checked = validateConfig(env.document);
  if (!checked.ok)
    throw new ConfigVerifyError('document', `invalid document: ${checked.errors.join('; ')}`, checked.errors);
  if (opts.agentId !== undefined && checked.value.agentId !== opts.agentId) {
    throw new ConfigVerifyError('identity', `config is for agent ${checked.value.agentId}, not ${opts.agentId}`);
  }
  if (opts.siteId !== undefined && checked.value.siteId !== opts.siteId) {
    throw new ConfigVerifyError('identity', `config is for site ${checked.value.siteId}, not ${opts.siteId}`);
  }
  return checked.value;
}

/** True when a JSON value looks like an envelope rather than a bare document. */
export function isEnvelope(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && 'signature' in value && 'document' in value;
}
