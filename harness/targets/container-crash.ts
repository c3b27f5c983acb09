/**
 * Crash-on-start on the container target: run the app's image with its environment and no port (nothing will
 * answer), wait for it to exit, keep its logs; then "copy" it the way `kubectl debug --copy-to --set-image`
 * does: a throw-away container of the tools image with the app's environment and the command the scenario
 * gives. Every container is labelled with the run and removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppSpec } from '../app.js';
import { PrerequisiteError } from '../errors.js';
import { tail } from '../exec.js';
import { appRunFlags, containerLogs, removeContainer, removeOnForceQuit, runLabels, shortId as short } from './container-ops.js';
import type { Engine } from './engine.js';
import { ensureImage } from './images.js';
import type { CrashedStart, TargetContext } from './types.js';

export async function startExpectingCrash(
  engine: Engine,
  app: AppSpec,
  ctx: TargetContext,
  options: { toolsImage: string; timeoutMs: number },
): Promise<CrashedStart> {
  if (!app.image) throw new PrerequisiteError(`app ${app.name} has no image: it cannot run on the container target`);
  const appImageId = await ensureImage(engine, app.image, { signal: ctx.signal, log: ctx.log });
  const toolsImageId = await ensureImage(engine, options.toolsImage, { signal: ctx.signal, log: ctx.log });
  const name = `holistic-${app.name}-${randomBytes(3).toString('hex')}`;
  const env = { ...app.env, ...ctx.appEnv };
  const envFlags = Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const finalLogs = { text: '' };
  const forget = removeOnForceQuit(engine, name);
  ctx.cleanup.add(`remove container ${name}`, async () => {
    finalLogs.text = await containerLogs(engine, name);
    await removeContainer(engine, name, 0);
    forget();
  });
  ctx.log(`starting ${app.name} as container ${name} (${app.image}), expecting it to exit during start-up`);
  const shape = appRunFlags(app);
  await engine.run(['run', '--detach', '--name', name, ...runLabels(ctx.runId), ...envFlags, ...shape.flags, app.image, ...shape.args], {
    signal: ctx.signal,
    timeoutMs: 120_000,
  });

  const deadline = Date.now() + options.timeoutMs;
  let state = { running: true, exitCode: 0 };
  while (Date.now() < deadline) {
    const r = await engine.run(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name], { signal: ctx.signal, timeoutMs: 30_000 });
    const [running, code] = r.stdout.trim().split(' ');
    state = { running: running === 'true', exitCode: Number(code) };
    if (!state.running) break;
    await sleep(250, undefined, { signal: ctx.signal });
  }
  if (state.running) {
    throw new PrerequisiteError(
      `${app.name} was expected to crash during start-up but was still running after ${options.timeoutMs / 1000} s ` +
        `(container ${name}); its output:\n${tail(await containerLogs(engine, name)) || '(nothing)'}`,
    );
  }
  let copies = 0;
  return {
    description: `${engine.name} container ${name} (${app.image})`,
    environment: { engine: engine.version, 'app container': name, 'app image': `${app.image} ${short(appImageId)}`, 'tools image': `${options.toolsImage} ${short(toolsImageId)}` },
    exitCode: state.exitCode,
    logs: async () => finalLogs.text || containerLogs(engine, name),
    runCopy: async (argv, execOptions) => {
      const copy = `${name}-copy${++copies}`;
      ctx.log(`copy of ${name}: ${options.toolsImage} with the app's environment, command ${argv[0]} …`);
      const forget = removeOnForceQuit(engine, copy);
      ctx.cleanup.add(`remove copy ${copy}`, async () => {
        await removeContainer(engine, copy, 0);
        forget();
      });
      try {
        return await engine.run(['run', '--rm', '--name', copy, ...runLabels(ctx.runId), '--network', 'none', ...envFlags, options.toolsImage, ...argv], {
          ...execOptions,
          reject: false,
        });
      } finally {
        await removeContainer(engine, copy, 0).catch(() => undefined);
      }
    },
  };
}
