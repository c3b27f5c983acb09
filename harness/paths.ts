import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (package.json, app/, hack/, the Python helpers under harness/): the first folder above this
 * module with a package.json. The same whether this runs from the sources (harness/paths.ts) or from the
 * compiled package (dist/harness/paths.js).
 */
export const projectRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}

/** Does this code run compiled (the installed package) rather than from its TypeScript sources? */
export const compiled = import.meta.url.endsWith('.js');

/** Caches that outlive a checkout (virtualenvs, built binaries): keyed by content, safe to delete. */
export function cacheDir(...parts: string[]): string {
  const base =
    process.env.HOLISTIC_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'holistic');
  return path.join(base, ...parts);
}
