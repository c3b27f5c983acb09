/**
 * bad-app as an AppSpec: the first example of an app under test. Your own service is described the same way
 * in your own scenario file: a command for the local target, an image for the container and Kubernetes ones.
 */
import path from 'node:path';
import { defineApp, PrerequisiteError, probe, projectRoot } from '../../harness/index.js';

const appDir = path.join(projectRoot, 'app');

export const badApp = defineApp({
  name: 'bad-app',
  port: 8000,
  healthPath: '/healthz',
  loadPath: '/',
  // Its own count of the requests it answered: the load's count is checked against it (load/served.ts).
  servedPath: '/served',
  env: { BADAPP_BCRYPT_ROUNDS: '12' },
  local: {
    // Run from the source tree with the harness's virtualenv (bcrypt from app/requirements.txt).
    command: ['{python}', '-m', 'badapp'],
    cwd: appDir,
    env: { PYTHONPATH: path.join(appDir, 'src') },
    portEnv: 'PORT',
    hostEnv: 'HOST',
    requirements: [path.join(appDir, 'requirements.txt')],
  },
  image: 'localhost/badapp:latest',
});

/**
 * The planted bugs' endpoints (/leak, /report) exist only in a bad-app built from this checkout's app/: an image
 * built from an older tree answers 404, and every verdict would fail for the wrong reason. Say so instead.
 */
export async function requirePlantedBug(appUrl: string, bugPath: string, signal?: AbortSignal): Promise<void> {
  const r = await probe(appUrl + bugPath, 30_000, signal);
  if (r.status === 404) {
    throw new PrerequisiteError(
      `bad-app answers 404 on ${bugPath}: it was built from a tree without the planted bugs. ` +
        'Rebuild it from this checkout: hack/images/build --only app (container target) — the local target runs app/src directly.',
    );
  }
}
