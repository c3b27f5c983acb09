/**
 * What the existing-workload mode may do, asked before it does anything (SelfSubjectAccessReview, what
 * `kubectl auth can-i` asks): a missing verb is a PrerequisiteError (exit 3) that names the verb, the resource
 * and the namespace, and points at docs/rbac.yaml — instead of failing halfway, with a debug container already
 * added that cannot be removed.
 */
import { AuthorizationV1Api } from '@kubernetes/client-node';
import { PrerequisiteError } from '../../errors.js';
import { call, type KubeClient } from './client.js';

export interface Permission {
  verb: string;
  /** `pods`, `pods/exec` (resource/subresource), `deployments`. */
  resource: string;
  group: string;
  why: string;
}

/** docs/rbac.yaml, as data: what a run against an existing workload needs. */
export function workloadPermissions(options: { load: boolean; deployment: boolean }): Permission[] {
  return [
    { verb: 'get', resource: 'pods', group: '', why: 'read the pods and their ephemeral containers' },
    { verb: 'list', resource: 'pods', group: '', why: 'find the workload\'s pods' },
    { verb: 'patch', resource: 'pods/ephemeralcontainers', group: '', why: 'add the debug container (kubectl debug)' },
    // WebSocket exec/port-forward is a GET upgrade; since 1.31 the apiserver requires create as well.
    { verb: 'get', resource: 'pods/exec', group: '', why: 'run the profilers in the debug container (WebSocket upgrade)' },
    { verb: 'create', resource: 'pods/exec', group: '', why: 'run the profilers in the debug container' },
    ...(options.load
      ? [
          { verb: 'get', resource: 'pods/portforward', group: '', why: 'send the load (WebSocket upgrade; --no-load needs none)' },
          { verb: 'create', resource: 'pods/portforward', group: '', why: 'send the load (--no-load needs none)' },
        ]
      : []),
    ...(options.deployment ? [{ verb: 'get', resource: 'deployments', group: 'apps', why: 'read the Deployment\'s selector (--deployment)' }] : []),
  ];
}

/** The permissions the current credentials lack in the namespace (empty: all granted). */
export async function missingPermissions(client: KubeClient, namespace: string, wanted: readonly Permission[]): Promise<Permission[]> {
  const api = client.config.makeApiClient(AuthorizationV1Api);
  const answers = await Promise.all(
    wanted.map(async (p) => {
      const [resource, subresource] = p.resource.split('/');
      const review = await call(
        `ask whether we may ${p.verb} ${p.resource} in ${namespace} (selfsubjectaccessreviews)`,
        api.createSelfSubjectAccessReview({
          body: { spec: { resourceAttributes: { namespace, verb: p.verb, group: p.group, resource, subresource } } },
        }),
      );
      return review.status?.allowed ? undefined : p;
    }),
  );
  return answers.filter((p): p is Permission => p !== undefined);
}

/** Throws PrerequisiteError (exit 3) naming every missing verb and resource. */
export async function checkWorkloadPermissions(client: KubeClient, namespace: string, options: { load: boolean; deployment: boolean }): Promise<void> {
  const missing = await missingPermissions(client, namespace, workloadPermissions(options));
  if (missing.length === 0) return;
  const lines = missing.map((p) => `  ${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}: to ${p.why}`);
  throw new PrerequisiteError(
    `not permitted in namespace ${namespace} (context ${client.context}):\n${lines.join('\n')}\n` +
      `Ask for them: docs/rbac.yaml is a Role with exactly what this mode needs (check with kubectl auth can-i ${missing[0]!.verb} ${missing[0]!.resource} -n ${namespace}).`,
  );
}
