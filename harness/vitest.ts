/**
 * `holistic/vitest`: the run's stages as vitest fixtures, so a team's profile checks live in its own vitest
 * suite. Each fixture is one of lifecycle/'s stages (the same functions run.ts composes for the CLI), so a test
 * gets the same deployment, debug session, load, attach, folders, teardown and reports as `holistic run`:
 *
 *   import { test, expect } from 'holistic/vitest';
 *   import { pySpyRecord } from 'holistic';
 *   const it = test.extend({ appSpec: myApp, runOptions: { target: 'local', durationS: 5 } });
 *   it('search is CPU-bound in ranking', async ({ attach }) => {
 *     const { evidence } = await attach(pySpyRecord(), { load: { path: '/search?q=a' } });
 *     expect(evidence.profile).toHaveHotspot('rank', { by: 'total', atLeast: 0.5 });
 *   });
 *
 * The run's report is written when the test ends; its verdict is the test's outcome. Importing this module also
 * registers the matchers (toHaveHotspot, toPassVerdicts).
 */
import { test as base } from 'vitest';
import type { AppSpec } from './app.js';
import './assert/matchers.js';
import { attaching, type Attach } from './lifecycle/attach.js';
import { debugged } from './lifecycle/debug.js';
import { deployed } from './lifecycle/deploy.js';
import { withRun } from './lifecycle/frame.js';
import { loading, type LoadDriver } from './lifecycle/load.js';
import type { RunFrame, RunOptions } from './lifecycle/types.js';
import type { DebugProfile, DebugSession, Deployment } from './targets/types.js';

export { expect } from 'vitest';

export interface HolisticFixtures {
  /** The app under test: give it with `test.extend({ appSpec: myApp })`. */
  appSpec: AppSpec;
  /** How and where to run it (target, durationS, outDir, …); default: `--target auto`, 10 s, reports/. */
  runOptions: RunOptions;
  /** The debug profile of the session (default `general`: SYS_PTRACE only). */
  debugProfile: DebugProfile;
  /** The run: its folder, its Cleanup; the report is written when the test ends. */
  run: RunFrame;
  /** The app, up and healthy, on the chosen target. */
  app: Deployment;
  /** The debug session attached to it, the kubectl debug way. */
  debug: DebugSession;
  /** Load with no tool attached; `load.run()` records it as the run's load. */
  load: LoadDriver;
  /** Attach any tool under load, after the same load without it (see lifecycle/attach.ts). */
  attach: Attach;
}

export const test = base.extend<HolisticFixtures>({
  appSpec: undefined as unknown as AppSpec,
  runOptions: {},
  debugProfile: 'general',
  run: async ({ task, signal, appSpec, runOptions }, use) => {
    if (!appSpec) throw new TypeError('holistic/vitest: no app under test: test.extend({ appSpec: defineApp({...}) })');
    const name = task.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'test';
    await withRun({ name, durationS: runOptions.durationS }, { ...runOptions, signal }, async (frame) => {
      await use(frame);
      // The run's verdict is the test's: the expectations are the checks.
      const failed = task.result?.state === 'fail';
      frame.evidence.verdicts.push({ name: task.name, pass: !failed, expected: 'the test passes', actual: failed ? (task.result?.errors?.[0]?.message ?? 'failed') : 'passed' });
    });
  },
  app: async ({ run, appSpec }, use) => deployed({ frame: run, app: appSpec }, use),
  debug: async ({ run, appSpec, app, debugProfile }, use) => debugged({ frame: run, app: appSpec, deployment: app, profile: debugProfile }, use),
  load: async ({ run, appSpec, app, debug }, use) => loading({ frame: run, app: appSpec, deployment: app, debug, spec: undefined }, use),
  attach: async ({ run, appSpec, app, debug, load }, use) => attaching({ frame: run, app: appSpec, deployment: app, debug, load }, use),
});
