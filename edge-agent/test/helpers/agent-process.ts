/** Runs the real agent entry (src/main.ts) as a child process, so a test can kill -9 it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface AgentProcess {
  proc: ChildProcess;
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export function writeConfig(dir: string, config: unknown): string {
  const file = join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** `args`: extra CLI options; /healthz and /metrics default to a free port so tests never collide. */
export function spawnAgent(configFile: string, args: string[] = ['--health-port', '0']): AgentProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, '--config', configFile, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-50_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const kill = async (sig: NodeJS.Signals) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(sig);
    await exited;
  };
  return { proc, output: () => out, kill9: () => kill('SIGKILL'), stop: () => kill('SIGTERM') };
}
