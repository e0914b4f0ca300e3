/**
 * `npm run admin -- <command>`: operator commands run on the center's machine against the same
 * database the center uses (the same GWANJE_* settings). Issue 17: nobody is ever locked out.
 *
 *   reset-password [--user admin] [--password-stdin]
 *     sets a new password (generated unless read from stdin), ends the user's sessions, clears a
 *     stored lockout and is audited as `user.update` by `cli`. For admin the new password is also
 *     kept in `${GWANJE_DATA_DIR}/initial-admin-password` (0600), so `npm start` prints it until
 *     someone logs in with it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { authPortsFromRepositories } from './auth/adapter.js';
import { AuditLog } from './auth/audit.js';
import { AuthError } from './auth/errors.js';
import { InitialPasswordFile } from './auth/first-admin.js';
import { generatePassword } from './auth/password.js';
import { ADMIN_USERNAME } from './auth/service.js';
import { UserAdmin } from './auth/users.js';
import { createLogger } from './logger.js';
import { loadSettings, SettingsError } from './settings.js';
import { openDatabase } from './store/db.js';
import { Repositories } from './store/repositories.js';

const USAGE = `usage: npm run admin -- reset-password [--user <name>] [--password-stdin]
  reset-password   set a new password for a user (default: admin) and end their sessions`;

async function resetPassword(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { user: { type: 'string', default: ADMIN_USERNAME }, 'password-stdin': { type: 'boolean' } },
  });
  const username = (values.user ?? ADMIN_USERNAME).trim().toLowerCase();
  const settings = loadSettings(process.env);
  // Logs go to stderr at warn: stdout carries only what the operator must read.
  const log = createLogger(settings.logLevel === 'info' ? 'warn' : settings.logLevel, pino.destination(2));
  const password = values['password-stdin'] ? readFileSync(0, 'utf8').trim() : generatePassword();
  const db = await openDatabase({ url: settings.databaseUrl, dataDir: settings.dataDir, log, waitMs: 10_000 });
  try {
    const ports = authPortsFromRepositories(new Repositories(db));
    const audit = new AuditLog(ports.audit, Date.now, log.child({ module: 'audit' }));
    const users = new UserAdmin(ports.users, ports.sessions, audit, Date.now);
    if (!(await ports.users.get(username))) {
      process.stderr.write(
        username === ADMIN_USERNAME
          ? 'admin: there is no admin yet; `npm start` creates it and prints its password\n'
          : `admin: no user named ${username}\n`,
      );
      return 1;
    }
    await users.update(username, { password }, 'cli', null);
    if (username === ADMIN_USERNAME && !values['password-stdin'])
      new InitialPasswordFile(settings.dataDir).save(password);
    process.stdout.write(
      `New password for ${username}: ${values['password-stdin'] ? '(as given)' : password}\n` +
        `Every session of ${username} has ended; log in at ${settings.publicUrl}\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'reset-password') return await resetPassword(rest);
  } catch (err) {
    if (err instanceof SettingsError) for (const e of err.errors) process.stderr.write(`admin: ${e}\n`);
    else if (err instanceof AuthError) process.stderr.write(`admin: ${err.message}\n`);
    else process.stderr.write(`admin: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
