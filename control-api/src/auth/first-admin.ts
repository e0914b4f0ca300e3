/**
 * The first administrator, so a newcomer can never be locked out (issue 17). Without
 * GWANJE_ADMIN_PASSWORD the generated password is written to `${dataDir}/initial-admin-password`
 * (mode 0600, in a 0700 directory) *before* the admin row exists, and is handed back for printing
 * on every start until someone logs in as admin (the file is then deleted) or the password is
 * changed (the file no longer verifies and is deleted). It never goes to a log. A forgotten
 * password is reset with `npm run admin -- reset-password` (admin-cli.ts).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePassword, verifyPassword } from './password.js';
import type { UserStore } from './ports.js';
import { ADMIN_USERNAME, type AuthService } from './service.js';

export const RESET_HINT = 'npm run admin -- reset-password';

export class InitialPasswordFile {
  readonly path: string;

  constructor(private readonly dataDir: string) {
    this.path = join(dataDir, 'initial-admin-password');
  }

  /** Written to a temporary name and renamed, so a crash never leaves half a password. */
  save(password: string): void {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${password}\n`, { mode: 0o600 });
    // The mode given to writeFileSync applies only when the file is created (umask aside).
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  read(): string | undefined {
    try {
      const text = readFileSync(this.path, 'utf8').trim();
      return text === '' ? undefined : text;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`auth: cannot read ${this.path}: ${(err as Error).message}`);
    }
  }

  forget(): void {
    rmSync(this.path, { force: true });
  }
}

export interface FirstAdmin {
  /** The generated password nobody has logged in with yet; undefined when none is pending. */
  password?: string;
  /** The admin was created by this start. */
  created: boolean;
}

/**
 * Creates `admin` when missing and tells whether a generated password is still pending. Wires
 * the login hook that forgets the file once someone has logged in as admin.
 */
export async function ensureFirstAdmin(
  auth: AuthService,
  users: Pick<UserStore, 'get'>,
  file: InitialPasswordFile,
  passwordFromEnv?: string,
): Promise<FirstAdmin> {
  auth.onLogin((username) => {
    if (username === ADMIN_USERNAME) file.forget();
  });
  const made = await auth.ensureAdmin(passwordFromEnv, () => {
    const password = generatePassword();
    file.save(password);
    return password;
  });
  if (made.created) return { created: true, password: made.password };
  const pending = file.read();
  if (pending === undefined) return { created: false };
  const row = await users.get(ADMIN_USERNAME);
  if (row && (await verifyPassword(pending, row.passwordHash))) return { created: false, password: pending };
  // Changed since (reset, or set by an admin): the file no longer opens anything.
  file.forget();
  return { created: false };
}
