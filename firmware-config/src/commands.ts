/** The gwanje-config subcommands; cli.ts parses arguments and maps errors to exit codes. */
import { chmod } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type SignedConfig, SignedConfig as SignedConfigSchema, validate } from '@gwanje/protocol';
import { writeBundle } from './bundle.js';
import { pushConfig, registerAgent } from './center.js';
import { diffConfigs, formatDiff } from './diff.js';
import { verifyEvidenceZip } from './evidence.js';
import { generateKeyPair, keyIdOf, loadPrivateKey, publicKeyPem } from './keys.js';
import { ConfigFileError, parseConfigText } from './load.js';
import { checkProvince } from './province.js';
import { render } from './render.js';
import { isEnvelope, signConfig, verifySignedConfig } from './sign.js';
import { configJsonSchema, validateConfig } from './validate.js';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string, mode: number): Promise<void>;
  env: Record<string, string | undefined>;
}

export class UsageError extends Error {}

type Opts = Record<string, string | boolean | undefined>;
type Command = (args: string[], opts: Opts, io: Io) => Promise<number>;

export const DEFAULT_TEMPLATES = new URL('../templates', import.meta.url).pathname;

function need(opts: Opts, name: string): string {
  const v = opts[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

function oneFile(args: string[], what = '<file>'): string {
  if (args.length !== 1) throw new UsageError(`expected ${what}`);
  return args[0];
}

async function readText(io: Io, path: string): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (err) {
    throw new ConfigFileError(path, [`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
}

async function readJson(io: Io, path: string): Promise<unknown> {
  return parseConfigText(path, await readText(io, path));
}

/** A document, or the document inside an envelope. */
async function readDocument(io: Io, path: string): Promise<unknown> {
  const v = await readJson(io, path);
  return isEnvelope(v) ? v.document : v;
}

/** Writes JSON to --out (0600: configs carry broker passwords) or stdout. */
async function emit(io: Io, opts: Opts, value: unknown): Promise<void> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (typeof opts.out === 'string') {
    await io.writeFile(opts.out, text, 0o600);
    await chmod(opts.out, 0o600);
  } else io.out(text.trimEnd());
}

function token(opts: Opts, io: Io): string {
  const t = typeof opts.token === 'string' ? opts.token : io.env.GWANJE_TOKEN;
  if (!t) throw new UsageError('--token (or GWANJE_TOKEN) is required');
  return t;
}

function summary(doc: { agentId: string; siteId: string; version?: string; sensors: unknown[]; cameras: unknown[] }) {
  return `agent ${doc.agentId} (site ${doc.siteId}), version ${doc.version ?? '(unset)'}, ${doc.sensors.length} sensors, ${doc.cameras.length} cameras`;
}

const validateCmd: Command = async (args, _opts, io) => {
  const file = oneFile(args);
  const raw = await readJson(io, file);
  const r = validateConfig(isEnvelope(raw) ? raw.document : raw);
  if (!r.ok) {
    for (const e of r.errors) io.err(e);
    return 1;
  }
  io.out(`${file}: valid: ${summary(r.value)}${isEnvelope(raw) ? ' (signature not checked: use verify)' : ''}`);
  return 0;
};

async function readSecrets(io: Io, opts: Opts): Promise<Record<string, unknown> | undefined> {
  if (typeof opts.secrets !== 'string') return undefined;
  const v = await readJson(io, opts.secrets);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new ConfigFileError(opts.secrets, [`${opts.secrets}: must be an object`]);
  }
  return v as Record<string, unknown>;
}

const renderCmd: Command = async (args, opts, io) => {
  if (args.length > 0) throw new UsageError('render takes no positional arguments');
  const r = await render({
    site: need(opts, 'site'),
    agent: need(opts, 'agent'),
    templatesDir: typeof opts.templates === 'string' ? opts.templates : DEFAULT_TEMPLATES,
    secrets: await readSecrets(io, opts),
  });
  if (!r.ok) {
    for (const e of r.errors) io.err(e);
    return 1;
  }
  await emit(io, opts, r.document);
  if (typeof opts.out === 'string') io.out(`${opts.out}: ${summary(r.document)}`);
  return 0;
};

const keygenCmd: Command = async (args, opts, io) => {
  if (args.length > 0) throw new UsageError('keygen takes no positional arguments');
  const k = await generateKeyPair(need(opts, 'out'));
  io.out(`key ${k.keyId}: private ${k.privatePath} (0600), public ${k.publicPath}`);
  return 0;
};

const signCmd: Command = async (args, opts, io) => {
  const file = oneFile(args);
  const key = await loadPrivateKey(need(opts, 'key'));
  const envelope = signConfig(await readDocument(io, file), key);
  await emit(io, opts, envelope);
  if (typeof opts.out === 'string')
    io.out(`${opts.out}: signed version ${envelope.version} with key ${envelope.keyId}`);
  return 0;
};

const verifyCmd: Command = async (args, opts, io) => {
  const file = oneFile(args);
  const pem = await readText(io, need(opts, 'pub'));
  const envelope = await readJson(io, file);
  const doc = verifySignedConfig(envelope, pem, { agentId: typeof opts.agent === 'string' ? opts.agent : undefined });
  const e = envelope as SignedConfig;
  io.out(`${file}: signature ok (key ${e.keyId}, issued ${new Date(e.issuedAt).toISOString()}): ${summary(doc)}`);
  return 0;
};

/** Issue 21: an evidence bundle's manifest signature and every file's SHA-256, offline. */
const verifyEvidenceCmd: Command = async (args, opts, io) => {
  const file = oneFile(args, '<evidence.zip>');
  const keyPath = typeof opts.key === 'string' ? opts.key : typeof opts.pub === 'string' ? opts.pub : undefined;
  const pinned = keyPath === undefined ? undefined : await readText(io, keyPath);
  const r = await verifyEvidenceZip(file, pinned);
  for (const p of r.problems) io.err(`${file}: ${p}`);
  if (!r.ok) {
    io.err(`${file}: evidence NOT verified (${r.problems.length} problem(s))`);
    return 1;
  }
  const when = r.createdAt === undefined ? '?' : new Date(r.createdAt).toISOString();
  io.out(
    `${file}: evidence ok: alarm ${r.alarmId} (${r.siteId}), ${r.files} files, key ${r.keyId}, ` +
      `made ${when} by ${r.createdBy}, faces ${r.masked === 'faces' ? 'masked' : 'not masked'}`,
  );
  if (!r.pinned)
    io.err(
      `${file}: warning: checked with the key inside the bundle (integrity only); ` +
        'pass --key <center public key> to prove it came from your center',
    );
  return 0;
};

const diffCmd: Command = async (args, _opts, io) => {
  if (args.length !== 2) throw new UsageError('expected <a> <b>');
  const lines = formatDiff(diffConfigs(await readDocument(io, args[0]), await readDocument(io, args[1])));
  for (const l of lines) io.out(l);
  if (lines.length === 0) io.out('no differences');
  return 0;
};

const pushCmd: Command = async (args, opts, io) => {
  const file = oneFile(args);
  const target = { api: need(opts, 'api'), token: token(opts, io) };
  const envelope = await readJson(io, file);
  const shape = validate(SignedConfigSchema, envelope);
  if (!shape.ok) throw new ConfigFileError(file, [`${file}: not a signed config (run sign first)`, ...shape.errors]);
  // Check locally what the agent will check, so a bad push fails here and not on a Pi.
  if (typeof opts.pub === 'string') verifySignedConfig(envelope, await readText(io, opts.pub));
  else {
    const r = validateConfig(shape.value.document);
    if (!r.ok) throw new ConfigFileError(file, r.errors);
  }
  const res = await pushConfig(target, shape.value);
  io.out(`pushed version ${shape.value.version} to agent ${String(shape.value.document.agentId)}: ${res.status}`);
  return 0;
};

const provisionCmd: Command = async (args, opts, io) => {
  if (args.length > 0) throw new UsageError('provision takes no positional arguments');
  const site = need(opts, 'site');
  const agent = need(opts, 'agent');
  const api = need(opts, 'api');
  const out = need(opts, 'out');
  const bearer = token(opts, io);
  const key = await loadPrivateKey(need(opts, 'key'));
  const templatesDir = typeof opts.templates === 'string' ? opts.templates : DEFAULT_TEMPLATES;
  // Render once with placeholder credentials first: a template error must not register an agent.
  const dry = await render({ site, agent, templatesDir, secrets: { central: { password: 'placeholder' } } });
  if (!dry.ok) {
    for (const e of dry.errors) io.err(e);
    return 1;
  }
  const creds = await registerAgent(
    { api, token: bearer },
    { agentId: agent, siteId: site, ...(typeof opts.name === 'string' ? { name: opts.name } : {}) },
  );
  const m = creds.mqtt;
  const secrets = {
    central: {
      url: m.url,
      username: m.username,
      password: m.password,
      ...(m.clientId ? { clientId: m.clientId } : {}),
    },
  };
  const r = await render({ site, agent, templatesDir, secrets });
  if (!r.ok) {
    for (const e of r.errors) io.err(e);
    return 1;
  }
  const envelope = signConfig(r.document, key);
  const files = await writeBundle({
    dir: resolve(out),
    envelope,
    publicKeyPem: publicKeyPem(key),
    agentId: agent,
    siteId: site,
    keyId: keyIdOf(key),
  });
  io.out(`provisioned agent ${agent} (site ${site}), config version ${envelope.version}, broker ${m.url}`);
  for (const f of files) io.out(`  ${f}`);
  return 0;
};

const checkCmd: Command = async (args, opts, io) => {
  if (args.length > 0) throw new UsageError('check takes no positional arguments');
  const r = await checkProvince(typeof opts.templates === 'string' ? opts.templates : DEFAULT_TEMPLATES);
  for (const e of r.errors) io.err(e);
  if (r.errors.length > 0) return 1;
  io.out(`${r.agents} agents, ${r.sensors} sensors, ${r.cameras} cameras: all render, ids unique`);
  return 0;
};

const schemaCmd: Command = async (args, opts, io) => {
  if (args.length > 0) throw new UsageError('schema takes no positional arguments');
  const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  if (typeof opts.out === 'string') await io.writeFile(opts.out, text, 0o644);
  else io.out(text.trimEnd());
  return 0;
};

export const commands: Record<string, Command> = {
  check: checkCmd,
  schema: schemaCmd,
  validate: validateCmd,
  render: renderCmd,
  keygen: keygenCmd,
  sign: signCmd,
  verify: verifyCmd,
  'verify-evidence': verifyEvidenceCmd,
  diff: diffCmd,
  push: pushCmd,
  provision: provisionCmd,
};
