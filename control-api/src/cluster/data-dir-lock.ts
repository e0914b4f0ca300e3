/**
 * One center per data directory (issue 19: "with the embedded broker and SQLite, two instances
 * fight over one data directory"). `instance.lock` holds the holder's pid and host; a second
 * process finding a live holder refuses to start, naming it. A lock left by a killed process (its
 * pid no longer runs on this host) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Data directories locked by this process (two centers in one test process count too). */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirLock {
  private constructor(
    private readonly dir: string,
    private readonly file: string,
  ) {}

  /** Takes the lock or throws `cluster: ...` naming the holder and `needs` (how to run several). */
  static acquire(dataDir: string, needs: string): DataDirLock {
    const dir = resolve(dataDir);
    const file = join(dir, 'instance.lock');
    const refuse = (holder: string) =>
      new Error(`cluster: another center (${holder}) already runs on the data directory ${dir}; ${needs}`);
    if (heldHere.has(dir)) throw refuse(`this process, pid ${process.pid}`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
        closeSync(fd);
        heldHere.add(dir);
        return new DataDirLock(dir, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let holder: { pid?: number; host?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        // Unreadable or half-written by a process killed mid-write: treat as stale.
      }
      const sameHost = holder.host === undefined || holder.host === hostname();
      if (typeof holder.pid === 'number' && holder.pid !== process.pid && (!sameHost || alive(holder.pid)))
        throw refuse(`pid ${holder.pid} on ${holder.host ?? 'this host'}`);
      unlinkSync(file); // stale: its process is gone
    }
    throw refuse('unknown');
  }

  release(): void {
    heldHere.delete(this.dir);
    try {
      unlinkSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
