/**
 * Every ffmpeg child the gateway runs goes through here, so stop() can kill them all and
 * tests can count them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';

export interface Child {
  proc: ChildProcess;
  /** Last stderr lines, for error messages. */
  stderr(): string;
  exited: Promise<number | null>;
}

export class FfmpegRunner {
  private readonly children = new Set<ChildProcess>();

  constructor(
    private readonly log: Logger,
    readonly ffmpegPath = 'ffmpeg',
  ) {}

  spawn(role: string, args: string[], bin = this.ffmpegPath): Child {
    const proc = spawn(bin, ['-hide_banner', '-loglevel', 'error', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.children.add(proc);
    let err = '';
    proc.stderr?.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-4000);
    });
    // EPIPE on stdin when ffmpeg exits first is expected; the exit handler reports the cause.
    proc.stdin?.on('error', (e) => this.log.debug({ role, err: e.message }, 'ffmpeg: stdin closed'));
    const exited = new Promise<number | null>((resolve) => {
      proc.once('error', (e) => {
        this.log.error({ role, err: e.message }, 'ffmpeg: spawn failed');
        this.children.delete(proc);
        resolve(null);
      });
      proc.once('exit', (code) => {
        this.children.delete(proc);
        resolve(code);
      });
    });
    this.log.debug({ role, pid: proc.pid }, 'ffmpeg: spawned');
    return { proc, stderr: () => err.trim(), exited };
  }

  get running(): number {
    return this.children.size;
  }

  async killAll(): Promise<void> {
    const all = [...this.children];
    await Promise.all(all.map((p) => kill(p)));
  }
}

/** SIGTERM, then SIGKILL after 2 s; resolves when the process is gone. */
export function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), 2000);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}
