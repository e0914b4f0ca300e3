/**
 * The center's data directory holds the database (password hashes, sessions), the signing keys,
 * alarm clips of public spaces and the time series (security review F17). It is made 0700 so no
 * other local user can read anything below it, whatever mode a file inside was created with;
 * files holding secrets are 0600 on top (`privateFile`).
 */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import type { Logger } from 'pino';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (0700) or narrows an existing one to 0700; warns when it cannot (not the owner). */
export function securePrivateDir(dir: string, log: Logger): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  narrow(dir, PRIVATE_DIR_MODE, log);
}

/** Narrows existing files (e.g. SQLite's database, -wal and -shm) to 0600. */
export function privateFiles(files: string[], log: Logger): void {
  for (const f of files) if (existsSync(f)) narrow(f, PRIVATE_FILE_MODE, log);
}

function narrow(path: string, mode: number, log: Logger): void {
  try {
    if ((statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
  } catch (err) {
    log.warn(
      { path, err: (err as Error).message },
      'store: cannot restrict permissions; other local users may read it',
    );
  }
}
