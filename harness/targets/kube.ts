/**
 * The Kubernetes target: any cluster a kubeconfig reaches. It does through the API what the tutorial does with
 * kubectl: run the app as a pod, port-forward to it, add an ephemeral debug container that targets the app's
 * container (`kubectl debug --target --profile`), exec the tools in it, copy the evidence out, and delete what
 * it made. By default everything lives in a fresh namespace `holistic-<id>` that is deleted at the end; with
 * `namespace` set, only the run's own pod is deleted.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { AppSpec } from '../app.js';
import { PrerequisiteError } from '../errors.js';
import { prettyCommand } from '../exec.js';
import { waitHealthy } from '../load/probe.js';
import { call, connect, serverVersion, type KubeClient, type KubeConnectOptions } from './kube/client.js';
import { addDebugContainer, debugContainerName, debugContainerSpec, ephemeralSession } from './kube/debug-container.js';
import { kubeExec, type ExecTarget } from './kube/exec.js';
import { createRunNamespace, deleteRunNamespace, ensureDefaultServiceAccount, isNotFound } from './kube/namespace.js';
import { appPodManifest, copyPodManifest, deletePodAndWait, diagnose, podLogs, waitPodReady, waitPodTerminated } from './kube/pod.js';
import { portForward } from './kube/port-forward.js';
import { sidePods } from './kube/side-pods.js';
import { kubeChecks } from './kube-checks.js';
import type { PodLauncher } from '../load/types.js';
import type { CrashedStart, DebugProfile, DebugSession, Deployment, Target, TargetContext, TargetDefinition } from './types.js';

/** Part of the registry (targets/index.ts): any cluster a kubeconfig reaches; never picked by `--target auto`. */
export const kubeTarget: TargetDefinition = {
  name: 'kube',
  summary: 'any cluster in your kubeconfig: the app as a pod, an ephemeral debug container (kubectl debug --target)',
  capabilities: { crashOnStart: true, hostProcess: false, existingWorkloads: true },
  checks: (options) => kubeChecks(options),
  create: (options) => new KubeTarget(options),
};

export interface KubeTargetOptions extends KubeConnectOptions {
  /** Use this existing namespace instead of a fresh one (only the run's own objects are deleted). */
  namespace?: string;
  /** Pin the app pod to a node: for clusters without a scheduler (this repository's test cluster). */
  nodeName?: string;
  /** The debug-tools image (resolved by the run: flag, HOLISTIC_TOOLS_IMAGE, default). */
  toolsImage: string;
  /** Default: Never for localhost/ images (loaded into the node, as the tutorial does), else IfNotPresent. */
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readyTimeoutMs?: number;
  /** Listen for the port-forward on 127.0.0.1:port (`--port`) instead of a port the kernel picks. */
  port?: number;
  /** Make an image of a pod beside the app usable by the nodes (kind loads it); by default it must be there or pullable. */
  prepareImage?: (image: string, ctx: TargetContext) => Promise<void>;
}

function pullPolicy(image: string, chosen?: KubeTargetOptions['imagePullPolicy']) {
  return chosen ?? (image.startsWith('localhost/') ? 'Never' : 'IfNotPresent');
}

export class KubeTarget implements Target {
  readonly kind = 'kube';
  constructor(private readonly options: KubeTargetOptions) {}

  /** Connect, then a fresh namespace (deleted at the end) or the user's: where the run's pods go. */
  private async prepare(app: AppSpec, ctx: TargetContext): Promise<{ client: KubeClient; version: string; namespace: string; fresh: boolean }> {
    if (!app.image) throw new PrerequisiteError(`app ${app.name} has no image: it cannot run on a Kubernetes target`);
    const client = connect(this.options);
    const version = await serverVersion(client);
    ctx.log(`cluster: ${client.server} (context ${client.context}, Kubernetes ${version})`);
    const fresh = !this.options.namespace;
    const namespace = this.options.namespace ?? `holistic-${randomBytes(4).toString('hex')}`;
    if (fresh) {
      ctx.log(`namespace ${namespace} (deleted at the end)`);
      await createRunNamespace(client, namespace, ctx.runId);
      ctx.cleanup.add(`delete namespace ${namespace}`, () => deleteRunNamespace(client, namespace));
    } else {
      try {
        await call(`read namespace ${namespace}`, client.core.readNamespace({ name: namespace }));
      } catch (error) {
        if (isNotFound(error)) throw new PrerequisiteError(`namespace ${namespace} does not exist (--namespace): create it, or leave --namespace out for a fresh one`);
        throw error;
      }
    }
    await ensureDefaultServiceAccount(client, namespace);
    return { client, version, namespace, fresh };
  }

  /** Create a pod of the run and register its deletion (before the namespace's: nothing else may delete it). */
  private async createPod(client: KubeClient, pod: V1Pod, ctx: TargetContext, container: string): Promise<KubeRunState> {
    const namespace = pod.metadata!.namespace!;
    const state: KubeRunState = { client, namespace, podName: pod.metadata!.name!, appContainer: container, finalLogs: '', ctx };
    ctx.cleanup.add(`delete pod ${namespace}/${state.podName}`, () => deletePod(state));
    await call(`create pod ${namespace}/${state.podName}`, client.core.createNamespacedPod({ namespace, body: pod }));
    return state;
  }

  async up(app: AppSpec, ctx: TargetContext): Promise<Deployment> {
    const { client, version, namespace, fresh } = await this.prepare(app, ctx);
    const env = { ...app.env, ...ctx.appEnv };
    const policy = pullPolicy(app.image!, this.options.imagePullPolicy);
    const manifest = appPodManifest(app, { namespace, runId: ctx.runId, env, imagePullPolicy: policy, nodeName: this.options.nodeName });
    ctx.log(`pod ${namespace}/${manifest.metadata!.name} from ${app.image} (imagePullPolicy ${policy})`);
    const state = await this.createPod(client, manifest, ctx, app.name);
    const podName = state.podName;
    const pod = await waitPodReady(client, namespace, podName, { timeoutMs: this.options.readyTimeoutMs ?? 120_000, signal: ctx.signal, log: ctx.log });

    const forward = await portForward(client, namespace, podName, app.port, this.options.port);
    ctx.cleanup.add(`close the port-forward to ${podName}`, () => forward.close());
    const url = `http://127.0.0.1:${forward.port}`;
    try {
      await waitHealthy(url + app.healthPath, { timeoutMs: 30_000, signal: ctx.signal });
    } catch (error) {
      ctx.signal.throwIfAborted();
      throw new PrerequisiteError(`${app.name} is Ready but does not answer through the port-forward: ${(error as Error).message}\n${await diagnose(client, namespace, podName, pod)}`);
    }
    const status = pod.status?.containerStatuses?.find((c) => c.name === app.name);
    const environment: Record<string, string> = {
      cluster: `${client.server} (context ${client.context})`,
      'Kubernetes version': version,
      namespace: fresh ? `${namespace} (created for this run)` : namespace,
      pod: `${podName} on node ${pod.spec?.nodeName ?? '?'}`,
      'app image': `${app.image} ${status?.imageID ?? ''}`.trim(),
    };
    const pods = sidePods({
      client, namespace, runId: ctx.runId, appIp: pod.status?.podIP ?? '', appPort: app.port, nodeName: this.options.nodeName,
      imagePullPolicy: (image) => pullPolicy(image, this.options.imagePullPolicy),
      prepareImage: this.options.prepareImage && ((image) => this.options.prepareImage!(image, ctx)),
      cleanup: ctx.cleanup, signal: ctx.signal, log: ctx.log,
    });
    return new KubeDeployment(state, url, app, this.options.imagePullPolicy, environment, this.options.toolsImage, pod.status?.podIP ? pods : undefined);
  }

  /**
   * crash-on-start: the app pod is made as usual and must end during start-up; a copy of it runs the tools the
   * way `kubectl debug POD --copy-to=COPY --set-image=*=TOOLS -- argv` does (same spec and environment, the tools
   * image, argv as the command), and its log is the command's output.
   */
  async upExpectingCrash(app: AppSpec, ctx: TargetContext): Promise<CrashedStart> {
    const { client, version, namespace } = await this.prepare(app, ctx);
    const env = { ...app.env, ...ctx.appEnv };
    const policy = pullPolicy(app.image!, this.options.imagePullPolicy);
    const manifest = appPodManifest(app, { namespace, runId: ctx.runId, env, imagePullPolicy: policy, nodeName: this.options.nodeName });
    ctx.log(`pod ${namespace}/${manifest.metadata!.name} from ${app.image}, expecting it to end during start-up`);
    const state = await this.createPod(client, manifest, ctx, app.name);
    const ended = await waitPodTerminated(client, namespace, state.podName, app.name, { timeoutMs: this.options.readyTimeoutMs ?? 120_000, signal: ctx.signal, log: ctx.log });
    if (!ended) {
      throw new PrerequisiteError(
        `${app.name} was expected to crash during start-up but pod ${namespace}/${state.podName} is still running\n${await diagnose(client, namespace, state.podName)}`,
      );
    }
    const toolsImage = this.options.toolsImage;
    let copies = 0;
    return {
      description: `pod ${namespace}/${state.podName} (${app.image})`,
      environment: { cluster: `${client.server} (context ${client.context})`, 'Kubernetes version': version, namespace, pod: state.podName, 'tools image': toolsImage },
      exitCode: ended.exitCode,
      logs: async () => state.finalLogs || podLogs(client, namespace, state.podName, app.name),
      runCopy: async (argv, options) => {
        const copy = copyPodManifest(manifest, { name: `${state.podName}-copy${++copies}`, image: toolsImage, imagePullPolicy: pullPolicy(toolsImage, this.options.imagePullPolicy), command: argv });
        ctx.log(`copy of ${state.podName} (kubectl debug --copy-to=${copy.metadata!.name} --set-image=*=${toolsImage}): ${argv[0]} …`);
        const copyState = await this.createPod(client, copy, ctx, app.name);
        const started = Date.now();
        try {
          const done = await waitPodTerminated(client, namespace, copyState.podName, app.name, { timeoutMs: options.timeoutMs, signal: options.signal ?? ctx.signal, log: ctx.log });
          if (!done) throw new Error(`the copy ${copyState.podName} did not finish within ${options.timeoutMs / 1000} s`);
          const stdout = await podLogs(client, namespace, copyState.podName, app.name);
          return { command: prettyCommand(argv[0]!, argv.slice(1)), exitCode: done.exitCode, stdout, stderr: '', durationMs: Date.now() - started };
        } finally {
          await deletePod(copyState).catch(() => undefined);
        }
      },
    };
  }
}

interface KubeRunState {
  client: KubeClient;
  namespace: string;
  podName: string;
  appContainer: string;
  /** The app's log, read just before the pod is deleted. */
  finalLogs: string;
  ctx: TargetContext;
}

async function deletePod(state: KubeRunState): Promise<void> {
  const { client, namespace, podName } = state;
  state.finalLogs = await podLogs(client, namespace, podName, state.appContainer);
  await deletePodAndWait(client, namespace, podName, 5);
}

class KubeDeployment implements Deployment {
  readonly description: string;
  constructor(
    private readonly state: KubeRunState,
    readonly url: string,
    private readonly app: AppSpec,
    private readonly chosenPullPolicy: KubeTargetOptions['imagePullPolicy'],
    readonly environment: Record<string, string>,
    private readonly toolsImage: string,
    readonly pods: PodLauncher | undefined,
  ) {
    this.description = `pod ${state.namespace}/${state.podName}`;
  }

  async debug(profile: DebugProfile): Promise<DebugSession> {
    const { client, namespace, podName, ctx } = this.state;
    const name = debugContainerName();
    const spec = debugContainerSpec({
      name,
      image: this.toolsImage,
      imagePullPolicy: pullPolicy(this.toolsImage, this.chosenPullPolicy),
      target: this.app.name,
      profile,
    });
    ctx.log(`ephemeral container ${name} (${this.toolsImage}) targeting ${this.app.name}, profile ${profile}`);
    const granted = await addDebugContainer(client, namespace, podName, spec, { timeoutMs: 120_000, signal: ctx.signal });
    const target: ExecTarget = { namespace, pod: podName, container: name };
    const scratchDir = '/tmp/holistic';
    const environment: Record<string, string> = {
      'ephemeral container (read back from the API)': JSON.stringify(
        { name: granted.name, image: granted.image, targetContainerName: granted.targetContainerName, command: granted.command, securityContext: granted.securityContext },
        null,
        1,
      ),
      'by hand (kubectl)': byHand(this.app, namespace, podName, name, this.toolsImage, profile, spec.imagePullPolicy!),
    };
    // Before the pod goes: the debug container's own log must be empty (exec only, nothing attached).
    ctx.cleanup.add(`check the log of ${name}`, async () => {
      const log = await podLogs(client, namespace, podName, name);
      environment['debug container log'] = log ? `${log.length} bytes: ${log.slice(0, 200)}` : 'empty (tools ran through exec; nothing attached)';
      if (log) ctx.log(`warning: the debug container's log is not empty (${log.length} bytes)`);
    });
    await kubeExec(client, target, ['mkdir', '-p', scratchDir], { timeoutMs: 30_000, signal: ctx.signal });
    return ephemeralSession(client, target, granted, scratchDir, environment);
  }

  /** Running, from the API. A pod that is gone is not alive; an API that does not answer is an error, not a death. */
  async isAlive(): Promise<boolean> {
    const { client, namespace, podName } = this.state;
    try {
      const pod = await call(`read pod ${namespace}/${podName}`, client.core.readNamespacedPod({ name: podName, namespace }));
      return Boolean(pod.status?.containerStatuses?.find((c) => c.name === this.app.name)?.state?.running);
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async logs(): Promise<string> {
    const { client, namespace, podName, appContainer } = this.state;
    return this.state.finalLogs || podLogs(client, namespace, podName, appContainer);
  }
}

/** The same run as a person would type it: the tutorial's commands, with this run's names. */
function byHand(app: AppSpec, ns: string, pod: string, debugger_: string, tools: string, profile: DebugProfile, policy: string): string {
  return [
    prettyCommand('kubectl', ['create', 'namespace', ns]),
    prettyCommand('kubectl', ['run', pod, '-n', ns, `--image=${app.image}`, `--image-pull-policy=${policy}`, '--restart=Never', ...Object.entries(app.env).map(([k, v]) => `--env=${k}=${v}`)]),
    prettyCommand('kubectl', ['wait', '-n', ns, '--for=condition=Ready', `pod/${pod}`]),
    prettyCommand('kubectl', ['port-forward', '-n', ns, `pod/${pod}`, `${app.port}:${app.port}`]) + ' &',
    prettyCommand('kubectl', ['debug', '-n', ns, pod, `--image=${tools}`, `--image-pull-policy=${policy}`, `--profile=${profile}`, `--target=${app.name}`, '--container', debugger_, '--', 'sleep', 'infinity']),
    prettyCommand('kubectl', ['exec', '-n', ns, pod, '-c', debugger_, '--', 'py-spy', 'record', '--pid', '1', '--duration', '10', '--format', 'raw', '-o', '/tmp/profile.txt']),
    prettyCommand('kubectl', ['cp', '-n', ns, '-c', debugger_, `${pod}:/tmp/profile.txt`, 'profile.txt']),
    prettyCommand('kubectl', ['delete', 'namespace', ns]),
  ].join('\n');
}
