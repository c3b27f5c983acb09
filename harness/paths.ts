import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (where package.json, app/ and scenarios/ are). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Caches that outlive a checkout (virtualenvs, built binaries): keyed by content, safe to delete. */
export function cacheDir(...parts: string[]): string {
  const base =
    process.env.HOLISTIC_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'holistic');
  return path.join(base, ...parts);
}
