/** Finds scenarios: by name in scenarios/, or any file path a user gives (their own scenario file). */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './errors.js';
import { projectRoot } from './paths.js';
import type { CrashScenario, Scenario } from './scenario.js';

export const scenariosDir = path.join(projectRoot, 'scenarios');

export async function listScenarios(): Promise<(Scenario | CrashScenario)[]> {
  const files = (await readdir(scenariosDir)).filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts')).sort();
  const found: (Scenario | CrashScenario)[] = [];
  for (const file of files) found.push(await importScenario(path.join(scenariosDir, file)));
  return found;
}

export async function loadScenario(nameOrPath: string): Promise<Scenario | CrashScenario> {
  if (/[/\\]|\.[cm]?[jt]s$/.test(nameOrPath)) {
    const file = path.resolve(nameOrPath);
    if (!existsSync(file)) throw new UsageError(`scenario file ${file} does not exist`);
    return importScenario(file);
  }
  const file = path.join(scenariosDir, `${nameOrPath}.ts`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(nameOrPath) || !existsSync(file)) {
    const names = (await listScenarios()).map((s) => s.name);
    throw new UsageError(`unknown scenario ${JSON.stringify(nameOrPath)}. Scenarios: ${names.join(', ')} (or give a path to your own scenario file)`);
  }
  return importScenario(file);
}

async function importScenario(file: string): Promise<Scenario | CrashScenario> {
  const module = (await import(pathToFileURL(file).href)) as { default?: Scenario | CrashScenario };
  const scenario = module.default;
  if (!scenario || (typeof (scenario as Scenario).run !== 'function' && typeof (scenario as CrashScenario).investigate !== 'function') || typeof scenario.name !== 'string') {
    throw new UsageError(`${file} does not export a scenario: use \`export default defineScenario({...})\``);
  }
  return scenario;
}
