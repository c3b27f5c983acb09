/**
 * bad-app with a bad setting dies during start-up: there is nothing to attach to. Start it anyway, expect it to
 * die, then investigate the way `kubectl debug --copy-to` does: a copy of the app whose image is the tools image
 * and whose command prints the environment the app got. The traceback from the app's own output names a value;
 * the copy says which setting holds it. The report must name the bad setting; the copy is removed.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkBadSetting, checkCrashed, defineApp, defineScenario, readTraceback, RunError, settingsHolding } from '../harness/index.js';
import { badApp } from './apps/bad-app.js';

const badSetting = 'BADAPP_CACHE_TTL_S';

export default defineScenario({
  name: 'crash-on-start',
  description: `bad-app with ${badSetting}=forever dies at start-up: a copy with the tools must name the bad setting`,
  app: defineApp({ ...badApp, env: { ...badApp.env, [badSetting]: 'forever' } }),
  startup: 'crash',
  async investigate({ crashed, signal, runDir, artifact, log }) {
    const traceback = readTraceback(await crashed.logs());
    if (traceback) log(`traceback: ${traceback.exception}: ${traceback.message}`);
    const copy = await crashed.runCopy(['python3', '-c', 'import json, os; print(json.dumps(dict(os.environ)))'], { timeoutMs: 120_000, signal });
    if (copy.exitCode !== 0) throw new RunError(`the copy of the app could not print its environment (exit ${copy.exitCode}): ${copy.command}\n${copy.stderr}`);
    const env = JSON.parse(copy.stdout.trim().split('\n').pop() ?? '{}') as Record<string, string>;
    const found = settingsHolding(env, traceback?.values ?? []);
    log(`settings holding ${JSON.stringify(traceback?.values ?? [])}: ${found.join(', ') || 'none'}`);
    await writeFile(
      path.join(runDir, 'crash.txt'),
      `exit code ${crashed.exitCode}\n\n${traceback?.text ?? '(no traceback)'}\n\nsettings holding the value: ` +
        `${found.map((n) => `${n}=${JSON.stringify(env[n])}`).join(', ') || 'none'}\n`,
    );
    artifact('crash investigation', 'crash.txt');
    return [checkCrashed(crashed.exitCode, traceback), checkBadSetting(found, env, badSetting)];
  },
});
