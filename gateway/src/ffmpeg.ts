/**
 * Every ffmpeg child the gateway runs goes through here, so stop() can kill them all and
 * tests can count them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { type LaunchedChild, ProcessLauncher } from './launcher.js';

export interface Child {
  proc: ChildProcess;
  /** Last stderr lines, for error messages. */
  stderr(): string;
  exited: Promise<number | null>;
}

/** Nice value of the ffmpeg children that are storage work (clips), below the center's alarm path. */
export const BATCH_NICE = 10;

export class FfmpegRunner {
  private readonly children = new Set<ChildProcess>();
  private readonly launched = new Set<LaunchedChild>();
  private readonly launcher: ProcessLauncher;

  constructor(
    private readonly log: Logger,
    readonly ffmpegPath = 'ffmpeg',
  ) {
    this.launcher = new ProcessLauncher(log);
  }

  /** Starts the helper that launches batch children (launcher.ts), so the first clip does not wait for it. */
  start(): void {
    this.launcher.start();
  }

  /**
   * An ffmpeg child started by the helper process (launcher.ts), never by this process: no fork of
   * the center, so no pause of its event loop. Its stdin is not connected; input comes another way
   * (a `unix:` socket). At BATCH_NICE.
   */
  launch(role: string, args: string[]): LaunchedChild {
    const child = this.launcher.run(this.ffmpegPath, ['-hide_banner', '-loglevel', 'error', ...args], BATCH_NICE);
    this.launched.add(child);
    void child.exited.then((code) => {
      this.launched.delete(child);
      if (code === null) this.log.warn({ role, err: child.stderr() }, 'ffmpeg: launched child failed');
    });
    this.log.debug({ role }, 'ffmpeg: launched');
    return child;
  }

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
    return this.children.size + this.launched.size;
  }

  async killAll(): Promise<void> {
    const all = [...this.children];
    for (const c of this.launched) c.kill('SIGKILL');
    await Promise.all([...all.map((p) => kill(p)), ...[...this.launched].map((c) => c.exited)]);
    await this.launcher.stop();
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
