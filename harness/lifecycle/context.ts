/** What a scenario's body gets: the run's basics, and for a healthy app its deployment, session, load and tools. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppSpec } from '../app.js';
import { frameLabel } from '../profile/model.js';
import type { RunBasics, ScenarioContext } from '../scenario.js';
import type { DebugSession, Deployment } from '../targets/types.js';
import { dump as pySpyDump } from '../tools/py-spy.js';
import type { Attach } from './attach.js';
import type { LoadDriver } from './load.js';
import type { RunFrame } from './types.js';

export function runBasics(frame: RunFrame, app: AppSpec): RunBasics {
  return {
    appSpec: app,
    durationS: frame.durationS,
    signal: frame.signal,
    warn: frame.warn,
    log: frame.log,
    runDir: frame.runDir,
    artifact: (name, relativePath) => {
      frame.artifacts[name] = relativePath;
    },
  };
}

export function scenarioContext(frame: RunFrame, app: AppSpec, deployment: Deployment, debug: DebugSession, load: LoadDriver, attach: Attach): ScenarioContext {
  return {
    ...runBasics(frame, app),
    app: deployment,
    debug,
    attach,
    load: (options) => load.run(options),
    dump: async (options = {}) => {
      const result = await pySpyDump(debug, { ...options, signal: frame.signal });
      await writeFile(path.join(frame.runDir, 'dump.txt'), result.text);
      frame.artifacts.dump = 'dump.txt';
      frame.evidence.threads = result.parsed.threads.map((t) => ({ id: t.id, name: t.name, status: t.status, idle: t.idle, frames: t.frames.map(frameLabel) }));
      return result;
    },
  };
}
