import { describe, expect, test } from 'vitest';
import { checkNothingStaged } from '../../harness/assert/staging.js';
import { ExitCode } from '../../harness/errors.js';
import { attachError } from '../../harness/tools/async-profiler.js';

const session = { appPid: 1, ptraceHint: 'add SYS_PTRACE' };

describe('async-profiler attach failures', () => {
  test.each([
    ['not-jvm', /needs a JVM/],
    ['not-found', /needs a JVM/],
    ['permission', /To grant ptrace: add SYS_PTRACE/],
    ['disabled', /does not allow attaching/],
    ['refused', /refused the attach/],
    ['user', /as the JVM's user/],
    ['staging', /cannot take async-profiler's library/],
    ['no-agent', /rebuild it \(hack\/images\/build --only tools/],
  ])('%s is a missing prerequisite (exit 3) that says what', (kind, says) => {
    const e = attachError({ kind, message: 'the helper said so' }, session) as Error & { exitCode: number };
    expect(e.exitCode).toBe(ExitCode.prerequisite);
    expect(e.message).toMatch(says);
    expect(e.message).toContain('the helper said so');
  });

  test.each(['agent', 'load', undefined])('%s is a failed run (exit 4)', (kind) => {
    const e = attachError({ kind, message: 'x' }, session) as Error & { exitCode: number };
    expect(e.exitCode).toBe(ExitCode.runFailed);
  });
});

describe('nothing staged left', () => {
  test('passes when the JVM /tmp reads as before and nothing is left', () => {
    expect(checkNothingStaged('async-profiler', { leftovers: [], tmpBefore: [], tmpAfter: [] }).pass).toBe(true);
  });
  test('fails naming what was left, in the list or new in /tmp', () => {
    const v = checkNothingStaged('async-profiler', { leftovers: ['/tmp/x'], tmpBefore: [], tmpAfter: ['.java_pid1'] });
    expect(v.pass).toBe(false);
    expect(v.actual).toBe('left: /tmp/x, /tmp/.java_pid1');
  });
  test('fails when /tmp could not be listed (it cannot prove anything)', () => {
    expect(checkNothingStaged('async-profiler', { leftovers: [], tmpBefore: undefined, tmpAfter: [] }).pass).toBe(false);
  });
});
