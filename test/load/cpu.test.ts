import { describe, expect, test } from 'vitest';
import { hostProcessCpu, processCpuS, sessionProcessCpu, statCpuS } from '../../harness/load/cpu.js';

// A real line's shape: pid (comm) state ppid … utime(14) stime(15) …
const line = (comm: string, utime: number, stime: number) =>
  `1 (${comm}) S 0 1 1 0 -1 4194560 1000 0 0 0 ${utime} ${stime} 0 0 20 0 3 0 100 200000000 5000 18446744073709551615 0 0 0 0 0 0 0 16781312 2 0 0 0 17 1 0 0 0 0 0`;

describe('app CPU time from /proc/PID/stat', () => {
  test('utime + stime in seconds, whatever the command name holds', () => {
    expect(statCpuS(line('python3', 250, 50))).toBeCloseTo(3.0);
    expect(statCpuS(line('odd) name (x', 7, 3))).toBeCloseTo(0.1);
    expect(statCpuS('garbage')).toBeUndefined();
    expect(statCpuS('1 (cut) S 0 1')).toBeUndefined();
  });

  test('this process, read from the host, grows as it works', async () => {
    const cpu = hostProcessCpu(process.pid);
    const before = (await cpu.read())!;
    const end = Date.now() + 300;
    while (Date.now() < end); // burn CPU on purpose
    expect((await cpu.read())! - before).toBeGreaterThan(0.1);
    expect(await processCpuS(2 ** 22 + 1)).toBeUndefined();
  });

  test('through a debug session: cat of /proc/<appPid>/stat; a failed read is "unknown", not 0', async () => {
    const calls: string[][] = [];
    const ok = sessionProcessCpu({
      appPid: 1,
      exec: async (argv) => {
        calls.push([...argv]);
        return { command: argv.join(' '), exitCode: 0, stdout: line('python3', 100, 20), stderr: '' } as never;
      },
    });
    expect(await ok.read()).toBeCloseTo(1.2);
    expect(calls).toEqual([['cat', '/proc/1/stat']]);
    expect(ok.onThisMachine).toBe(false);
    const gone = sessionProcessCpu({ appPid: 1, exec: async () => ({ command: 'cat', exitCode: 1, stdout: '', stderr: 'No such file' }) as never });
    expect(await gone.read()).toBeUndefined();
  });
});
