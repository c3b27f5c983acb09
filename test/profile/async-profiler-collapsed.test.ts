import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkHotspot } from '../../harness/assert/hotspot.js';
import { frameStats, toCollapsed } from '../../harness/profile/model.js';
import { parseAsyncProfilerCollapsed, readAsyncProfilerCollapsed } from '../../harness/profile/async-profiler-collapsed.js';

const sample = path.join(import.meta.dirname, '..', 'samples', 'badapp-java.async-profiler.collapsed');

describe('async-profiler collapsed reader', () => {
  test('a real recording of bad-app-java: the BCrypt library is the leaf of almost every sample', async () => {
    const profile = await readAsyncProfilerCollapsed(sample);
    expect(profile.source).toMatch(/^async-profiler collapsed \(/);
    const [top] = frameStats(profile);
    expect(top!.frame).toEqual({ name: 'at/favre/lib/crypto/bcrypt/BCryptOpenBSDProtocol.key' });
    expect(top!.self).toBeGreaterThan(0.8);
    const verdict = checkHotspot(profile, /^at\/favre\/lib\/crypto\/bcrypt\//, { atLeast: 0.8, top: true });
    expect(verdict.pass, verdict.actual).toBe(true);
    // The app's own method is on the hot stacks (total), never the leaf: the library does the work.
    const own = frameStats(profile).find((s) => s.frame.name === 'badapp/Hashing.hashPassword');
    expect(own!.total).toBeGreaterThan(0.8);
    expect(own!.self).toBe(0);
  });

  test('Java, lambda and JVM-internal frames are whole names without a file', () => {
    const text =
      'java/lang/Thread.run;badapp/Main$$Lambda$7.0x00007f270c008800.handle;at/favre/lib/crypto/bcrypt/BCrypt$Hasher.hash 5\n' +
      'start_thread;thread_native_entry;Compilation::compile_method;[unknown] 2\n' +
      'java/lang/Thread.run;java/util/concurrent/ThreadPoolExecutor$Worker.run;Interpreter 1\n';
    const profile = parseAsyncProfilerCollapsed(text, 'mem');
    expect(profile.frames.map((f) => f.name)).toEqual([
      'java/lang/Thread.run',
      'badapp/Main$$Lambda$7.0x00007f270c008800.handle',
      'at/favre/lib/crypto/bcrypt/BCrypt$Hasher.hash',
      'start_thread',
      'thread_native_entry',
      'Compilation::compile_method',
      '[unknown]',
      'java/util/concurrent/ThreadPoolExecutor$Worker.run',
      'Interpreter',
    ]);
    expect(profile.frames.every((f) => f.file === undefined && f.line === undefined)).toBe(true);
    expect(profile.totalWeight).toBe(8);
  });

  test('round-trips: what was read is what the file says, identical stacks merged', async () => {
    // async-profiler prints one line per (stack, frame types): a method interpreted and the same method compiled
    // or inlined read the same without the `ann` option, so the file repeats some stacks; the model merges them.
    const text = await readFile(sample, 'utf8');
    const merged = new Map<string, number>();
    for (const line of text.trim().split('\n')) {
      const at = line.lastIndexOf(' ');
      merged.set(line.slice(0, at), (merged.get(line.slice(0, at)) ?? 0) + Number(line.slice(at + 1)));
    }
    expect(merged.size).toBeLessThan(text.trim().split('\n').length);
    expect(toCollapsed(parseAsyncProfilerCollapsed(text, 'x'))).toEqual([...merged].map(([s, n]) => `${s} ${n}`).sort());
  });

  test('an empty recording (the JVM did no work) is an error naming the file', () => {
    expect(() => parseAsyncProfilerCollapsed('', 'empty.collapsed')).toThrow(/empty\.collapsed.*no samples/);
  });
});
