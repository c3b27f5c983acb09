/**
 * bad-app as an AppSpec: the first example of an app under test. Your own service is described the same way
 * in your own scenario file: a command for the local target, an image for the container and Kubernetes ones.
 */
import path from 'node:path';
import { defineApp } from '../../harness/app.js';
import { projectRoot } from '../../harness/paths.js';

const appDir = path.join(projectRoot, 'app');

export const badApp = defineApp({
  name: 'bad-app',
  port: 8000,
  healthPath: '/healthz',
  loadPath: '/',
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
