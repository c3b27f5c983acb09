/**
 * `holistic init`: holistic in a team's own repository. Writes a scenario for their service, a vitest test that
 * runs the same checks through holistic/vitest when the repository uses vitest, and a CI workflow that saves a
 * baseline on the main branch and gates every pull request against it. Asks nothing (flags, sensible defaults);
 * never overwrites: if any file exists, nothing is written and the run exits 2 naming them.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './errors.js';

export interface InitOptions {
  /** Where to write (the repository's root). */
  dir: string;
  /** The service's name: [a-z0-9-]. */
  name: string;
  port: number;
  /** How to start it as a local process, e.g. "python -m myapi" ({python} is holistic's interpreter). */
  command: string;
  image?: string;
  healthPath: string;
  loadPath: string;
  /** pip requirements for the local run, relative to dir. */
  requirements?: string;
}

export interface PlannedFile {
  path: string;
  content: string;
}

export async function planInit(o: InitOptions): Promise<PlannedFile[]> {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(o.name)) throw new UsageError(`--name ${JSON.stringify(o.name)}: use lowercase letters, digits and dashes`);
  const files: PlannedFile[] = [
    { path: `holistic/${o.name}.ts`, content: scenarioFile(o) },
    { path: '.github/workflows/holistic.yml', content: workflowFile(o) },
  ];
  if (await usesVitest(o.dir)) files.push({ path: `holistic/${o.name}.test.ts`, content: vitestFile(o) });
  return files;
}

/** Write the plan, or nothing at all when any of its files exists (exit 2, naming them). */
export async function writeInit(o: InitOptions): Promise<string[]> {
  const files = await planInit(o);
  const existing = files.filter((f) => existsSync(path.join(o.dir, f.path))).map((f) => f.path);
  if (existing.length > 0) throw new UsageError(`holistic init would overwrite ${existing.join(', ')}: nothing was written (move them away, or pick another --name)`);
  for (const f of files) {
    await mkdir(path.dirname(path.join(o.dir, f.path)), { recursive: true });
    await writeFile(path.join(o.dir, f.path), f.content, { flag: 'wx' });
  }
  return files.map((f) => f.path);
}

async function usesVitest(dir: string): Promise<boolean> {
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => '{}')) as Record<string, Record<string, string> | undefined>;
  return Boolean(pkg.devDependencies?.vitest ?? pkg.dependencies?.vitest) || ['vitest.config.ts', 'vitest.config.js', 'vitest.config.mts'].some((f) => existsSync(path.join(dir, f)));
}

function appLiteral(o: InitOptions): string {
  const argv = o.command.trim().split(/\s+/).map((a, i) => (i === 0 && /^python3?$/.test(a) ? '{python}' : a));
  return `defineApp({
  name: ${JSON.stringify(o.name)},
  port: ${o.port},
  healthPath: ${JSON.stringify(o.healthPath)},
  loadPath: ${JSON.stringify(o.loadPath)},
  env: {},
  // The local target runs it as a process: {python} is holistic's Python (with py-spy), {port} a free port.
  local: {
    command: ${JSON.stringify(argv)},
    cwd: path.join(import.meta.dirname, '..'),
    portEnv: 'PORT',
    hostEnv: 'HOST',${o.requirements ? `\n    requirements: [path.join(import.meta.dirname, '..', ${JSON.stringify(o.requirements)})],` : ''}
  },
${imageLines(o)}
})`;
}

/**
 * The container and kube targets run the app as an image the user builds: say what it must hold, commented out
 * when init was not given one, so the first container/kube run does not fail on a field nobody mentioned.
 */
function imageLines(o: InitOptions): string {
  const help = `  // Container and kube targets run your image (build it first, e.g. podman build -t localhost/${o.name}:latest .).
  // Its entrypoint must listen on 0.0.0.0:${o.port} (PORT/HOST are set only locally: use env here), and
  // ${o.healthPath} must answer 2xx once it is ready. A localhost/ image is used as is on kube (imagePullPolicy
  // Never): load it into the cluster's nodes first. Other needs: container: { command, args, workingDir, user,
  // readOnlyRootFilesystem, resources: { requests, limits } }.`;
  return o.image ? `${help}\n  image: ${JSON.stringify(o.image)},` : `${help}\n  // image: 'localhost/${o.name}:latest',`;
}

function scenarioFile(o: InitOptions): string {
  return `/**
 * ${o.name} under load while py-spy records from a debug session: where does its time go?
 * Run it: npx holistic run holistic/${o.name}.ts [--target local|container|kube]
 * Then name the function that must dominate below (see the run's report for the top hotspots).
 */
import path from 'node:path';
import { checkHotspot, checkNoLoadErrors, defineApp, defineScenario, pySpyRecord } from 'holistic';

export const app = ${appLiteral(o)};

export default defineScenario({
  name: ${JSON.stringify(o.name)},
  description: '${o.name} under load on ${o.loadPath}: the profile must show where the time goes',
  app,
  durationS: 10,
  async run({ attach, log }) {
    const { evidence, during, serving } = await attach(pySpyRecord(), { load: { connections: 2 } });
    log(\`top frames: \${evidence.profile.totalWeight} samples\`);
    return [
      // The service's own hot function, e.g. checkHotspot(evidence.profile, /^rank_results \\(/, { atLeast: 0.5, top: true }):
      checkHotspot(evidence.profile, /./, { atLeast: 0.01, label: 'any Python frame sampled' }),
      checkNoLoadErrors(during!),
      ...serving,
    ];
  },
});
`;
}

function vitestFile(o: InitOptions): string {
  return `/** The same check as holistic/${o.name}.ts, in the repository's vitest suite (holistic/vitest fixtures). */
import { pySpyRecord } from 'holistic';
import { expect, test as base } from 'holistic/vitest';
import { app } from './${o.name}.js';

const test = base.extend({ appSpec: app, runOptions: { target: 'local', durationS: 5, outDir: 'reports' } });

test('${o.name} under load: py-spy sees where the time goes', { timeout: 120_000 }, async ({ attach }) => {
  const { evidence, serving } = await attach(pySpyRecord(), { load: { connections: 2 } });
  expect(evidence.profile.totalWeight).toBeGreaterThan(0);
  expect({ verdicts: serving }).toPassVerdicts();
});
`;
}

function workflowFile(o: InitOptions): string {
  return `# holistic on every change: a baseline from the main branch, every pull request gated against it (exit 1 on a
# regression of CPU time per request or of a hotspot's share). Written by \`npx holistic init\`.
name: holistic
on:
  push:
    branches: [main]
  pull_request:

jobs:
  profile:
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: sudo apt-get install -y python3-venv
      - run: npm ci
      - name: Restore the main branch's baseline
        uses: actions/cache/restore@v4
        with:
          path: holistic-baseline.json
          key: holistic-baseline-\${{ github.sha }}
          restore-keys: holistic-baseline-
      - name: Save a baseline (main)
        if: github.ref == 'refs/heads/main'
        run: npx holistic run holistic/${o.name}.ts --target local --duration 20 --save-baseline holistic-baseline.json
      - name: Gate against the baseline (pull requests)
        if: github.event_name == 'pull_request'
        run: |
          if [ -f holistic-baseline.json ]; then
            npx holistic run holistic/${o.name}.ts --target local --duration 20 --baseline holistic-baseline.json
          else
            echo "no baseline from main yet: running without the gate"
            npx holistic run holistic/${o.name}.ts --target local --duration 20
          fi
      - name: Keep the baseline for the next runs
        if: github.ref == 'refs/heads/main'
        uses: actions/cache/save@v4
        with:
          path: holistic-baseline.json
          key: holistic-baseline-\${{ github.sha }}
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: holistic-reports
          path: reports/
`;
}
