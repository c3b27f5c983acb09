import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parsePySpyDump } from '../../harness/profile/pyspy-dump.js';

const samples = path.join(import.meta.dirname, '..', 'samples');

describe('py-spy dump reader', () => {
  test('threads, idle or active, frames innermost first', async () => {
    const dump = parsePySpyDump(await readFile(path.join(samples, 'badapp.dump.txt'), 'utf8'), 'badapp.dump.txt');
    expect(dump.pythonVersion).toBe('3.11.2');
    expect(dump.command).toMatch(/python -m badapp$/);
    expect(dump.threads.map((t) => [t.name, t.status, t.idle, t.frames[0]!.name])).toEqual([
      ['MainThread', 'idle', true, '_PollLikeSelector.select'],
      ['Thread-1 (process_request_thread)', 'active', false, 'hash_password'],
    ]);
    expect(dump.threads[1]!.frames[0]).toEqual({ name: 'hash_password', file: 'badapp/hashing.py', line: 11 });
    expect(dump.threads[1]!.frames.at(-1)!.name).toBe('Thread._bootstrap');
  });

  test('--locals: arguments and locals attach to their frame', async () => {
    const dump = parsePySpyDump(await readFile(path.join(samples, 'badapp.dump-locals.txt'), 'utf8'), 'locals');
    const main = dump.threads[0]!;
    expect(main.frames[0]!.locals).toMatchObject({ timeout: '500', ready: '[]' });
    expect(main.frames.find((f) => f.name === 'main')!.locals).toMatchObject({ port: '18002' });
  });

  test('rejects what is not a dump, saying where', () => {
    expect(() => parsePySpyDump('hello\n', 'x.txt')).toThrow(/cannot read profile x\.txt: line 1: unexpected "hello" in a py-spy dump/);
    expect(() => parsePySpyDump('Process 1: python\n', 'x.txt')).toThrow(/no "Thread …" section/);
  });
});
