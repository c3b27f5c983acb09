/**
 * The ephemeral debug container, added the way `kubectl debug POD --target=APP --profile=P --image=I` adds it:
 * a strategic-merge patch of the pod's ephemeralcontainers subresource. Ephemeral containers cannot be removed
 * or restarted, so it runs a long-lived command and every tool is exec'd into it. Its spec is read back from the
 * API for the report: what the cluster actually granted.
 */
import { PatchStrategy, setHeaderOptions, type V1EphemeralContainer, type V1Pod } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrerequisiteError } from '../../errors.js';
import type { DebugProfile, DebugSession } from '../types.js';
import { call, type KubeClient } from './client.js';
import { kubeCopyOut, kubeExec, type ExecTarget } from './exec.js';
import { diagnose } from './pod.js';

/** kubectl debug's profiles, as securityContext (kubectl: staging/src/k8s.io/kubectl/pkg/cmd/debug/profiles.go). */
export function securityContextFor(profile: DebugProfile): V1EphemeralContainer['securityContext'] {
  switch (profile) {
    case 'general':
      return { capabilities: { add: ['SYS_PTRACE'] } };
    case 'sysadmin':
      return { privileged: true };
    case 'baseline':
      return {};
  }
}

export function debugContainerSpec(options: {
  name: string;
  image: string;
  imagePullPolicy: string;
  target: string;
  profile: DebugProfile;
}): V1EphemeralContainer {
  return {
    name: options.name,
    image: options.image,
    imagePullPolicy: options.imagePullPolicy,
    targetContainerName: options.target,
    // Long-lived and quiet: tools are exec'd in, nothing is attached, so the container's log stays empty.
    command: ['sleep', 'infinity'],
    stdin: false,
    tty: false,
    securityContext: securityContextFor(options.profile),
  };
}

export function debugContainerName(): string {
  return `debugger-${randomBytes(3).toString('hex')}`;
}

export async function addDebugContainer(
  client: KubeClient,
  namespace: string,
  pod: string,
  spec: V1EphemeralContainer,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<V1EphemeralContainer> {
  await call(
    `add ephemeral container ${spec.name} to pod ${namespace}/${pod} (pods/ephemeralcontainers)`,
    client.core.patchNamespacedPodEphemeralcontainers(
      { name: pod, namespace, body: { spec: { ephemeralContainers: [spec] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    ),
  );
  const deadline = Date.now() + options.timeoutMs;
  let current: V1Pod | undefined;
  while (Date.now() < deadline) {
    options.signal.throwIfAborted();
    current = await call(`read pod ${namespace}/${pod}`, client.core.readNamespacedPod({ name: pod, namespace }));
    const status = current.status?.ephemeralContainerStatuses?.find((s) => s.name === spec.name);
    if (status?.state?.running) {
      const granted = current.spec?.ephemeralContainers?.find((c) => c.name === spec.name);
      if (!granted) throw new Error(`ephemeral container ${spec.name} is running but not in the pod's spec`);
      return granted;
    }
    const reason = status?.state?.waiting?.reason ?? status?.state?.terminated?.reason;
    if (reason && /ErrImage|ImagePull|InvalidImage|CreateContainer|RunContainer|Error|Completed/.test(reason)) {
      throw new PrerequisiteError(
        `debug container ${spec.name} (${spec.image}) did not start: ${reason}` +
          (/Image/.test(reason) ? `\nThe image must be pullable by the node or loaded into it (kind load docker-image ${spec.image}).` : '') +
          `\n${await diagnose(client, namespace, pod, current)}`,
      );
    }
    await sleep(300);
  }
  throw new PrerequisiteError(
    `debug container ${spec.name} was not running within ${options.timeoutMs / 1000} s\n${await diagnose(client, namespace, pod, current)}`,
  );
}

/**
 * The DebugSession of an ephemeral container as the API granted it (image, target, capabilities read back, not
 * echoed from the request): tools exec'd into it, files copied out of it. Shared by a run's own pod and a
 * running workload's pods (reuse.ts).
 */
export function ephemeralSession(client: KubeClient, target: ExecTarget, granted: V1EphemeralContainer, scratchDir: string, environment: Record<string, string>): DebugSession {
  return {
    image: granted.image,
    container: { name: target.container, target: granted.targetContainerName ?? '' },
    capabilities: granted.securityContext?.capabilities?.add ?? [],
    privileged: granted.securityContext?.privileged ?? false,
    appPid: 1,
    scratchDir,
    environment,
    ptraceHint: 'add the ephemeral container with securityContext.capabilities.add [SYS_PTRACE] (kubectl debug --profile=general)',
    exec: (argv, options) => kubeExec(client, target, argv, options),
    copyOut: (sessionPath, hostPath, options) => kubeCopyOut(client, target, sessionPath, hostPath, options),
  };
}
