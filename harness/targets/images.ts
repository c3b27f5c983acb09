/**
 * Images a run needs must be there before anything starts. The project's own two images are built on demand
 * (offline, by hack/images/build: once per machine); any other image must already exist in the engine.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PrerequisiteError } from '../errors.js';
import { CommandError, run, tail } from '../exec.js';
import { projectRoot } from '../paths.js';
import { defaultLocustImage } from '../load/locust/pods.js';
import type { Engine } from './engine.js';

export const defaultToolsImage = 'localhost/debug-tools:latest';
/** bad-app's image, as app/Makefile and hack/images/build tag it (what doctor looks for). */
export const defaultAppImage = 'localhost/badapp:latest';

/** The images hack/images/build makes, and the `--only` part that makes each. */
const projectImages: Record<string, string> = {
  'localhost/badapp:latest': 'app',
  'localhost/badapp-java:latest': 'java',
  [defaultToolsImage]: 'tools',
  [defaultLocustImage]: 'locust',
};

export async function imageId(engine: Engine, ref: string): Promise<string | undefined> {
  const r = await engine.run(['image', 'inspect', '--format', '{{.Id}}', ref], { reject: false, timeoutMs: 30_000 });
  return r.exitCode === 0 ? r.stdout.trim().split('\n')[0] : undefined;
}

export async function ensureImage(
  engine: Engine,
  ref: string,
  options: { signal?: AbortSignal; log: (line: string) => void },
): Promise<string> {
  const id = await imageId(engine, ref);
  if (id) return id;
  const part = projectImages[ref];
  const build = path.join(projectRoot, 'hack', 'images', 'build');
  if (!part || engine.name !== 'podman' || !existsSync(build)) {
    throw new PrerequisiteError(
      `image ${ref} is not in ${engine.name}'s storage. ` +
        (part
          ? engine.name === 'docker'
            ? `Build it with \`hack/images/build --only ${part}\` (podman, offline), then copy it into docker with ` +
              `\`hack/images/to-docker ${ref}\`; or \`make -C app build ENGINE=docker\` / \`make build ENGINE=docker\`.`
            : `Build it with \`hack/images/build --only ${part}\` (podman, offline) or \`make -C app build\` / \`make build\`.`
          : `Build or load it into ${engine.name} first (the target never pulls).`),
    );
  }
  options.log(`building ${ref} with hack/images/build --only ${part} (once per machine; the first build takes minutes)`);
  try {
    await run(build, ['--only', part], { timeoutMs: 45 * 60_000, signal: options.signal });
  } catch (error) {
    options.signal?.throwIfAborted();
    throw new PrerequisiteError(
      `could not build ${ref} with hack/images/build: ${error instanceof CommandError ? tail(error.message, 15) : String(error)}`,
      { cause: error },
    );
  }
  const built = await imageId(engine, ref);
  if (!built) throw new PrerequisiteError(`hack/images/build finished but ${ref} is still missing`);
  return built;
}
