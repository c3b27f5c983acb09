/**
 * What a scenario file may say, checked before anything starts: a misspelt field or an unknown value (a load
 * generator holistic does not have) is a usage error (exit 2) naming the field and the file, never silently
 * ignored.
 */
import { z } from 'zod';
import { UsageError } from './errors.js';

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and dashes');
const env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string());
const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'a Kubernetes quantity such as 500m, 1, 256Mi');
const resources = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });
const path = z.string().startsWith('/', 'a path starting with /');

export const appSchema = z.strictObject({
  name,
  port: z.number().int().min(1).max(65535),
  healthPath: path,
  loadPath: path,
  servedPath: path.optional(),
  env,
  /** A dotenv file (KEY=VALUE lines) added to env, absolute or relative to the working directory. */
  envFile: z.string().min(1).optional(),
  local: z
    .strictObject({
      command: z.array(z.string()).min(1),
      cwd: z.string().optional(),
      env: env.optional(),
      portEnv: z.string().optional(),
      hostEnv: z.string().optional(),
      requirements: z.array(z.string()).optional(),
    })
    .optional(),
  image: z.string().min(1).optional(),
  /** How the image runs on the container and Kubernetes targets, as a pod spec says it. */
  container: z
    .strictObject({
      command: z.array(z.string()).min(1).optional(),
      args: z.array(z.string()).optional(),
      workingDir: path.optional(),
      /** uid or uid:gid, as numbers (a distroless image has no /etc/passwd names to resolve). */
      user: z.string().regex(/^\d+(:\d+)?$/, 'uid or uid:gid, numeric').optional(),
      readOnlyRootFilesystem: z.boolean().optional(),
      resources: z.strictObject({ requests: resources.optional(), limits: resources.optional() }).optional(),
    })
    .optional(),
});

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'a function');
const requestShape = {
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
};

const common = {
  name,
  description: z.string(),
  app: appSchema,
  durationS: z.number().positive().optional(),
};

export const scenarioSchema = z.union([
  z.strictObject({
    ...common,
    debugProfile: z.enum(['general', 'baseline', 'sysadmin']).optional(),
    load: z
      .strictObject({
        generator: z.enum(['autocannon', 'k6', 'locust']).optional(),
        k6Script: z.string().optional(),
        /** Locust only: worker processes (pods on kube/kind), and a user-supplied locustfile instead of the load model. */
        workers: z.number().int().min(1).max(64).optional(),
        locustfile: z.string().min(1).optional(),
        connections: z.number().int().min(1).max(10_000).optional(),
        rate: z.number().positive().optional(),
        warmupS: z.number().nonnegative().optional(),
        requests: z.array(z.strictObject({ name: z.string().optional(), path, weight: z.number().positive().optional(), ...requestShape })).min(1).optional(),
        ...requestShape,
      })
      .optional(),
    regression: z.record(z.string(), z.unknown()).optional(),
    run: fn,
  }),
  z.strictObject({ ...common, startup: z.literal('crash'), investigate: fn }),
]);

/** Throws a UsageError naming each bad field (`app.container.user: …`) and where the scenario came from. */
export function checkScenario(scenario: unknown, where: string): void {
  const result = scenarioSchema.safeParse(scenario);
  if (result.success) return;
  // A union reports each branch; the branch that matches the scenario's kind says what is wrong with it.
  const crash = (scenario as { startup?: unknown })?.startup === 'crash';
  const issues = result.error.issues.flatMap((issue) => (issue.code === 'invalid_union' ? (issue.errors[crash ? 1 : 0] ?? []) : [issue]));
  const lines = issues.map((i) => `${i.path.join('.') || '(the scenario)'}: ${i.message}`);
  throw new UsageError(`${where} is not a valid scenario:\n  ${[...new Set(lines)].join('\n  ')}`);
}
