/**
 * Issue 18: batch children (alarm clips and their duration read) are started by the launcher's
 * helper process, so the center is never forked for them; each runs at the nice value asked for.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pino from 'pino';
import { ProcessLauncher } from '../src/launcher.js';

const launcher = new ProcessLauncher(pino({ level: 'silent' }));
after(() => launcher.stop());

test("a launched child is not this process's child, runs at the nice value given, and reports exit code and stderr", async () => {
  // /proc/self/stat field 19 is the nice value; $PPID the parent that forked the shell.
  const child = launcher.run('sh', ['-c', 'echo "nice=$(cut -d" " -f19 /proc/$$/stat) ppid=$PPID" >&2; exit 3'], 10);
  assert.equal(await child.exited, 3);
  const m = /nice=(-?\d+) ppid=(\d+)/.exec(child.stderr());
  assert.ok(m, child.stderr());
  assert.equal(Number(m[1]), 10);
  assert.notEqual(Number(m[2]), process.pid, 'forked by the helper, not by the center');
});

test('a binary that does not exist ends with no exit code and says why', async () => {
  const child = launcher.run('/nonexistent/ffmpeg', ['-version']);
  assert.equal(await child.exited, null);
  assert.match(child.stderr(), /ENOENT/);
});

test('kill ends a launched child; stop ends the helper with whatever it still runs, and launches nothing after', async () => {
  const killed = launcher.run('sleep', ['30']);
  killed.kill('SIGKILL');
  assert.equal(await killed.exited, null);
  const running = launcher.run('sleep', ['30']);
  await new Promise((r) => setTimeout(r, 200));
  const started = Date.now();
  await launcher.stop();
  assert.equal(await running.exited, null);
  assert.ok(Date.now() - started < 5000);
  assert.equal(await launcher.run('sh', ['-c', 'exit 0']).exited, null, 'stopped: nothing new starts');
});
