/** harness/exec.ts: every command has a deadline, and stopping it stops its children too. */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { CommandError, prettyCommand, run } from '../harness/exec.js';

/** Running, not a zombie: an orphan's zombie waits for PID 1 to reap it, which this VM's init may never do. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('run()', () => {
  test('a hung command times out with a message that says so, and its whole process group dies', async () => {
    // A shell whose child would outlive a plain kill of the shell.
    const started = Date.now();
    const error = await run('sh', ['-c', 'sleep 300 & echo $! ; wait'], { timeoutMs: 500, killGraceMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).timedOut).toBe(true);
    expect((error as CommandError).message).toMatch(/^Command timed out after 500 ms: sh -c 'sleep 300 & echo \$! ; wait'/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const child = Number((error as CommandError).stdout.trim());
    await sleep(200);
    expect(alive(child)).toBe(false);
  });

  test('cancel by AbortSignal, with the signal the tool needs (SIGINT for py-spy)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const error = await run('sh', ['-c', 'trap "echo got-INT; exit 0" INT; sleep 300 & wait'], { timeoutMs: 10_000, signal: controller.signal, killSignal: 'SIGINT' }).catch((e: unknown) => e);
    expect((error as CommandError).canceled).toBe(true);
    expect((error as CommandError).stdout).toContain('got-INT');
  });

  test('failures carry the pasteable command and the end of stderr', async () => {
    const error = await run('sh', ['-c', 'echo "it broke" >&2; exit 3'], { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect((error as CommandError).message).toBe("Command failed with exit code 3: sh -c 'echo \"it broke\" >&2; exit 3'\nit broke");
    const ok = await run('sh', ['-c', 'exit 3'], { timeoutMs: 5000, reject: false });
    expect(ok.exitCode).toBe(3);
    await expect(run('no-such-binary-holistic', [], { timeoutMs: 5000, reject: false })).rejects.toThrow(/^Command not found: no-such-binary-holistic/);
  });

  test('prettyCommand quotes what a shell would split', () => {
    expect(prettyCommand('py-spy', ['record', '--pid', '1', '-o', '/tmp/a b.txt', "it's"])).toBe(`py-spy record --pid 1 -o '/tmp/a b.txt' 'it'\\''s'`);
  });
});
