/**
 * Reader for async-profiler's `collapsed` output: the same folded format as py-spy raw (`frame;…;leaf COUNT`,
 * root first), so it goes through the same parser. Java frames read `package/Class.method`
 * (`at/favre/lib/crypto/bcrypt/BCryptOpenBSDProtocol.key`, `java/lang/Thread.run`, lambdas as
 * `badapp/Main$$Lambda$7.0x….handle`), native and JVM frames as their symbol (`Compilation::compile_method`,
 * `[unknown]`): none has py-spy's ` (file:line)` tail, so each frame is a name without a file.
 */
import { readFile } from 'node:fs/promises';
import type { Profile } from './model.js';
import { parsePySpyRaw } from './pyspy-raw.js';

export function parseAsyncProfilerCollapsed(text: string, path: string): Profile {
  return { ...parsePySpyRaw(text, path), source: `async-profiler collapsed (${path})` };
}

export async function readAsyncProfilerCollapsed(path: string): Promise<Profile> {
  return parseAsyncProfilerCollapsed(await readFile(path, 'utf8'), path);
}
