/**
 * Reader for `py-spy dump` (the stacks of every thread at one instant):
 *
 *   Process 1: /usr/bin/python3.11 /app/badapp.pyz
 *   Python v3.11.2 (/usr/bin/python3.11)
 *
 *   Thread 1 (idle): "MainThread"
 *       select (selectors.py:415)
 *       ...
 *   Thread 0x7F3A… (active+gil): "Thread-3 (process_request_thread)"
 *       hash_password (badapp/hashing.py:11)
 *           Arguments: / Locals:  (with --locals: deeper-indented name: value lines)
 *
 * Frames are listed innermost first, as py-spy prints them.
 */
import type { FrameInfo } from './model.js';
import { ProfileParseError } from './parse-error.js';
import { parseFrame } from './pyspy-raw.js';

export interface DumpThread {
  id: string;
  name: string;
  /** py-spy's word: idle, active, active+gil, gil, … */
  status: string;
  idle: boolean;
  /** Innermost first. */
  frames: (FrameInfo & { locals?: Record<string, string> })[];
}

export interface ThreadDump {
  pid: number | undefined;
  command: string | undefined;
  pythonVersion: string | undefined;
  threads: DumpThread[];
}

const PROCESS = /^Process (\d+): (.*)$/;
const PYTHON = /^Python v(\S+)/;
const THREAD = /^Thread (\S+) \(([^)]*)\)(?:: "(.*)")?$/;
const FRAME = /^ {4}(\S.*)$/;
const SECTION = /^ {8}(Arguments|Locals):$/;
const VARIABLE = /^ {12}([^:]+): (.*)$/;

export function parsePySpyDump(text: string, path: string): ThreadDump {
  const dump: ThreadDump = { pid: undefined, command: undefined, pythonVersion: undefined, threads: [] };
  let thread: DumpThread | undefined;
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let m: RegExpExecArray | null;
    if ((m = PROCESS.exec(line))) {
      dump.pid = Number(m[1]);
      dump.command = m[2];
    } else if ((m = PYTHON.exec(line))) {
      dump.pythonVersion = m[1];
    } else if ((m = THREAD.exec(line))) {
      const status = m[2]!;
      thread = { id: m[1]!, name: m[3] ?? '', status, idle: status.split('+').includes('idle'), frames: [] };
      dump.threads.push(thread);
    } else if ((m = SECTION.exec(line))) {
      // Arguments/Locals headers: the variables below belong to the last frame.
    } else if ((m = VARIABLE.exec(line)) && thread?.frames.length) {
      const frame = thread.frames[thread.frames.length - 1]!;
      (frame.locals ??= {})[m[1]!.trim()] = m[2]!;
    } else if ((m = FRAME.exec(line)) && thread) {
      thread.frames.push(parseFrame(m[1]!));
    } else {
      throw new ProfileParseError(path, `line ${i + 1}`, `unexpected ${JSON.stringify(line.slice(0, 120))} in a py-spy dump`);
    }
  });
  if (dump.threads.length === 0) throw new ProfileParseError(path, 'whole file', 'no "Thread …" section: not a py-spy dump');
  return dump;
}
