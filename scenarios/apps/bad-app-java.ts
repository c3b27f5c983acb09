/**
 * bad-app's Java twin (app/java): the same story on the JVM. GET / hashes with BCrypt (at.favre.lib:bcrypt),
 * GET /healthz is cheap. Locally it runs with the machine's java (app/java/run-local builds the jar first when it
 * is stale); on the container and Kubernetes targets from the distroless Java image built by
 * `hack/images/build --only java` (no shell, no JDK tools, user 65532).
 */
import path from 'node:path';
import { defineApp, projectRoot } from '../../harness/index.js';

const appDir = path.join(projectRoot, 'app', 'java');

export const badAppJava = defineApp({
  name: 'bad-app-java',
  port: 8000,
  healthPath: '/healthz',
  loadPath: '/',
  // Cost 10: a request is ~60 ms of one core once the JIT has warmed up, so a 10 s window holds hundreds of
  // requests on a shared 2-core machine (at 12 it held a few dozen).
  env: { BADAPP_BCRYPT_ROUNDS: '10', BADAPP_THREADS: '4' },
  local: {
    command: [path.join(appDir, 'run-local')],
    cwd: appDir,
    portEnv: 'PORT',
    hostEnv: 'HOST',
  },
  image: 'localhost/badapp-java:latest',
});
