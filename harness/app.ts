/**
 * The app under test is a parameter. A scenario names one AppSpec: how to start it on each kind of target,
 * which port it listens on, where its health check is and what environment it gets. bad-app is only the
 * first example (scenarios/apps/bad-app.ts); a user's own service is described the same way in their own file.
 */

export interface AppSpec {
  /** Short name, used for container, pod and log names: [a-z0-9-]. */
  name: string;
  /** Port the app listens on inside its own environment (container/pod). */
  port: number;
  /** Path that answers 2xx once the app is ready, cheaply. */
  healthPath: string;
  /** Path the load generator hits. */
  loadPath: string;
  /**
   * Optional: a path answering the app's own count of requests served so far, as JSON `{ "<path>": count }`
   * (bad-app: /served). The load's request count is then checked against the app's (load/served.ts).
   */
  servedPath?: string;
  /** Environment for every target; `--app-env NAME=VALUE` adds to it. */
  env: Record<string, string>;
  /** How to run it as a plain process (the local target). */
  local?: LocalAppSpec;
  /** Environment from a dotenv file (KEY=VALUE lines), over `env` and under `--app-env`. */
  envFile?: string;
  /** Image for the container and Kubernetes targets. */
  image?: string;
  /** How the image runs on the container and Kubernetes targets, as a pod spec says it. */
  container?: ContainerAppSpec;
}

export interface ContainerAppSpec {
  /** The image's entrypoint replaced (a pod's `command`). */
  command?: string[];
  /** The arguments (a pod's `args`). */
  args?: string[];
  workingDir?: string;
  /** uid or uid:gid, numeric. */
  user?: string;
  /** The app's root filesystem read-only (/tmp stays writable: the tools stage into it). */
  readOnlyRootFilesystem?: boolean;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
}

export interface LocalAppSpec {
  /**
   * argv. `{python}` is replaced by the harness's Python (a virtualenv with `requirements` and the profilers),
   * `{port}` by the port the local target picked.
   */
  command: string[];
  cwd?: string;
  /** Extra environment for the local run only (e.g. PYTHONPATH to the source tree). */
  env?: Record<string, string>;
  /** Name of the environment variable that tells the app its port (also set), e.g. PORT. */
  portEnv?: string;
  /** Name of the environment variable that tells the app its bind address, set to 127.0.0.1 locally. */
  hostEnv?: string;
  /** pip requirement files installed into the harness's virtualenv, absolute paths. */
  requirements?: string[];
}

export function defineApp(app: AppSpec): AppSpec {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(app.name)) {
    throw new TypeError(`app name ${JSON.stringify(app.name)} must be lowercase letters, digits and dashes`);
  }
  return app;
}

/** A dotenv file's variables: `KEY=VALUE` lines, `#` comments, optional quotes; a bad line is an error naming it. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const env: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: expected KEY=VALUE, got ${JSON.stringify(line)}`);
    env[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  });
  return env;
}

/** Parse repeated `NAME=VALUE` flags; throws a usage message naming the bad one. */
export function parseAppEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(`--app-env expects NAME=VALUE, got ${JSON.stringify(pair)}`);
    }
    env[name] = pair.slice(eq + 1);
  }
  return env;
}
