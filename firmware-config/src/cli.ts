/**
 * gwanje-config: validate, render, keygen, sign, verify, diff, push, provision.
 * Exit codes: 0 ok, 1 invalid / verify failed / center refused, 2 usage. Problems go to stderr
 * as `path: message` lines, results to stdout.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CenterApiError } from './center.js';
import { commands, type Io, UsageError } from './commands.js';
import { KeyFileError } from './keys.js';
import { ConfigFileError } from './load.js';
import { ConfigVerifyError, InvalidConfigError } from './sign.js';

export const USAGE = `usage: gwanje-config <command> [options]
  validate <file>                                   check a document (or the document inside a signed envelope)
  render --site <siteId> --agent <agentId> [--templates dir] [--secrets file] [--out file]
  check [--templates dir]                           render every agent overlay; ids unique across the province
  keygen --out <dir>                                new Ed25519 signing key pair (private.pem 0600, public.pem)
  sign <file> --key <private.pem> [--out file]      validate, stamp version, sign -> SignedConfig envelope
  verify <file> --pub <public.pem> [--agent id]     check signature, key id and document
  verify-evidence <zip> [--key <center.pem>]        an alarm's evidence bundle: manifest signature, every file's SHA-256
  diff <a> <b>                                      structural diff, secrets masked
  schema [--out file]                               the document's JSON Schema (editors, console forms)
  push <file> --api <url> [--token t | $GWANJE_TOKEN] [--pub public.pem]
  provision --site <siteId> --agent <agentId> --api <url> [--token t] --key <private.pem> --out <dir>
            [--templates dir] [--name text]
exit codes: 0 ok, 1 invalid or refused, 2 usage`;

const OPTIONS = {
  site: { type: 'string' },
  agent: { type: 'string' },
  templates: { type: 'string' },
  secrets: { type: 'string' },
  out: { type: 'string' },
  key: { type: 'string' },
  pub: { type: 'string' },
  api: { type: 'string' },
  token: { type: 'string' },
  name: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`usage: ${(err as Error).message}`);
    io.err(USAGE);
    return 2;
  }
  const [name, ...args] = parsed.positionals;
  if (parsed.values.help || name === 'help') {
    io.out(USAGE);
    return 0;
  }
  const command = name ? commands[name] : undefined;
  if (!command) {
    io.err(name ? `usage: unknown command "${name}"` : 'usage: a command is required');
    io.err(USAGE);
    return 2;
  }
  try {
    return await command(args, parsed.values, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`usage: ${err.message}`);
      return 2;
    }
    if (err instanceof ConfigFileError || err instanceof InvalidConfigError) {
      for (const e of err.errors) io.err(e);
      if (err instanceof InvalidConfigError) io.err(err.message);
      return 1;
    }
    if (err instanceof ConfigVerifyError || err instanceof KeyFileError || err instanceof CenterApiError) {
      io.err(err.message);
      return 1;
    }
    io.err(`gwanje-config: ${(err as Error).message}`);
    return 1;
  }
}

/** Process wiring: real stdout/stderr and files. */
export async function run(): Promise<void> {
  const io: Io = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    readFile: (path) => readFile(path, 'utf8'),
    writeFile: (path, text, mode) => writeFile(path, text, { mode }),
    env: process.env,
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
