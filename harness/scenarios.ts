/** Finds scenarios: by name in scenarios/, or any file path a user gives (their own scenario file). */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './errors.js';
import { compiled, projectRoot } from './paths.js';
import type { CrashScenario, Scenario } from './scenario.js';

/** The built-in scenarios: their sources in a checkout, their compiled JavaScript in the installed package. */
export const scenariosDir = compiled ? path.join(projectRoot, 'dist', 'scenarios') : path.join(projectRoot, 'scenarios');
const ext = compiled ? '.js' : '.ts';

export async function listScenarios(): Promise<(Scenario | CrashScenario)[]> {
  const files = (await readdir(scenariosDir)).filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts')).sort();
  const found: (Scenario | CrashScenario)[] = [];
  for (const file of files) found.push(await importScenario(path.join(scenariosDir, file), { check: false }));
  return found;
}

export async function loadScenario(nameOrPath: string): Promise<Scenario | CrashScenario> {
  if (/[/\\]|\.[cm]?[jt]s$/.test(nameOrPath)) {
    const file = path.resolve(nameOrPath);
    if (!existsSync(file)) throw new UsageError(`scenario file ${file} does not exist`);
    return importScenario(file);
  }
  const file = path.join(scenariosDir, `${nameOrPath}${ext}`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(nameOrPath) || !existsSync(file)) {
    const names = (await listScenarios()).map((s) => s.name);
    throw new UsageError(`unknown scenario ${JSON.stringify(nameOrPath)}. Scenarios: ${names.join(', ')} (or give a path to your own scenario file)`);
  }
  return importScenario(file);
}

/** `check`: validate every field (what a run does before it starts); listing only needs the name and description. */
async function importScenario(file: string, { check = true } = {}): Promise<Scenario | CrashScenario> {
  const module = (await importModule(file)) as { default?: Scenario | CrashScenario };
  const scenario = module.default;
  if (!scenario || (typeof (scenario as Scenario).run !== 'function' && typeof (scenario as CrashScenario).investigate !== 'function') || typeof scenario.name !== 'string') {
    throw new UsageError(`${file} does not export a scenario: use \`export default defineScenario({...})\``);
  }
  if (check) (await import('./spec-schema.js')).checkScenario(scenario, file);
  return scenario;
}

/**
 * A user's TypeScript scenario loads through tsx when holistic itself runs compiled (in a checkout, tsx is
 * already the loader); JavaScript imports directly.
 */
async function importModule(file: string): Promise<unknown> {
  if (compiled && /\.[cm]?ts$/.test(file)) {
    const { tsImport } = await import('tsx/esm/api');
    return tsImport(pathToFileURL(file).href, import.meta.url);
  }
  return import(pathToFileURL(file).href);
}
