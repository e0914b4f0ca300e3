/**
 * Issue 18: the ffmpeg children of an alarm (its clips, then each clip's duration read) are started
 * by a small helper process, not by the center itself. Node starts a child with fork + exec and
 * waits until the exec is done; in a process the size of the center that blocked its event loop
 * for a median 350 ms per child (2.5 s at worst) on a loaded 2-core host (pixel bench CPU profile:
 * 53 s of 205 s in `spawn` for clips), and every alarm behind such a fork waited for it. The helper
 * is a bare Node process of a few MB: its forks are cheap and never stop the center.
 *
 * It runs a clip's ffmpeg at a lower CPU priority (`nice`): a clip is storage work, not the alarm
 * path. Its input comes over a Unix socket (ffmpeg's `unix:` protocol) that the center writes the
 * video segments to (clip-recorder.ts); its stderr tail and exit code come back over IPC.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';

/** The helper, plain JavaScript run with `node -e` (no files, no TypeScript loader to start). */
const HELPER = `
const { spawn } = require('node:child_process');
const { setPriority } = require('node:os');
const kids = new Map();
const done = (id, code, stderr) => {
  if (!kids.has(id)) return;
  kids.delete(id);
  process.send({ op: 'exit', id, code, stderr });
};
process.on('message', (m) => {
  if (m.op === 'kill') return void kids.get(m.id)?.kill(m.signal);
  if (m.op !== 'spawn') return;
  let err = '';
  let child;
  kids.set(m.id, null);
  try {
    child = spawn(m.bin, m.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    return done(m.id, null, String(e.message));
  }
  kids.set(m.id, child);
  try {
    if (m.nice) setPriority(child.pid, m.nice);
  } catch {}
  child.stderr.on('data', (b) => { err = (err + b).slice(-4000); });
  child.once('error', (e) => done(m.id, null, (err + ' ' + e.message).trim()));
  child.once('close', (code) => done(m.id, code, err.trim()));
});
process.on('disconnect', () => {
  for (const k of kids.values()) k?.kill('SIGKILL');
  process.exit(0);
});
`;

export interface LaunchedChild {
  /** Exit code (null: killed, or it could not start). */
  exited: Promise<number | null>;
  /** Last stderr lines. */
  stderr(): string;
  kill(signal?: NodeJS.Signals): void;
}

type HelperMessage = { op: 'exit'; id: number; code: number | null; stderr: string };

export class ProcessLauncher {
  private helper?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (m: HelperMessage) => void>();
  private stopped = false;

  constructor(private readonly log: Logger) {}

  /** Starts the helper (once; again if it died). */
  private ensure(): ChildProcess {
    if (this.helper?.connected) return this.helper;
    const helper = spawn(process.execPath, ['-e', HELPER], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    helper.on('message', (m: HelperMessage) => {
      const resolve = this.pending.get(m.id);
      this.pending.delete(m.id);
      resolve?.(m);
    });
    helper.once('exit', (code, signal) => {
      if (this.helper === helper) this.helper = undefined;
      // Whatever it was running is gone with it.
      for (const [id, resolve] of this.pending)
        resolve({ op: 'exit', id, code: null, stderr: 'launcher: helper exited' });
      this.pending.clear();
      if (code !== 0) this.log.warn({ code, signal }, 'launcher: helper process ended');
    });
    this.helper = helper;
    return helper;
  }

  /** Started now so the first alarm's clip does not pay for it. */
  start(): void {
    this.ensure();
  }

  run(bin: string, args: string[], nice = 0): LaunchedChild {
    if (this.stopped)
      return { exited: Promise.resolve(null), stderr: () => 'launcher: stopped', kill: () => undefined };
    const helper = this.ensure();
    const id = this.nextId++;
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => {
      this.pending.set(id, (m) => {
        stderr = m.stderr;
        resolve(m.code);
      });
    });
    helper.send({ op: 'spawn', id, bin, args, nice });
    return {
      exited,
      stderr: () => stderr,
      kill: (signal = 'SIGTERM') => {
        if (this.pending.has(id) && helper.connected) helper.send({ op: 'kill', id, signal });
      },
    };
  }

  /** Ends the helper and, with it, every child it runs. */
  async stop(): Promise<void> {
    this.stopped = true;
    const helper = this.helper;
    this.helper = undefined;
    if (!helper || helper.exitCode !== null) return;
    const gone = new Promise<void>((r) => helper.once('exit', () => r()));
    helper.disconnect();
    await gone;
  }
}
