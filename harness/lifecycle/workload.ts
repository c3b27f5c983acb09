/**
 * The run against a workload that is already running (kube target with --pod, --selector or --deployment):
 * nothing of the app is created, changed or restarted. In place of the deploy, debug and attach stages, every
 * selected pod gets holistic's debug container (reused when one of ours is running), and `attach` profiles all
 * pods and all their Python processes in the same window (harness/workload.ts), loading each pod through a
 * port-forward or not at all (--no-load). The scenario's body runs unchanged against the merged profile; the
 * run adds the verdicts only a workload has: the same pods afterwards, and no pod out of line with the others.
 */
import type { AppSpec } from '../app.js';
import type { Verdict } from '../assert/verdict.js';
import { PrerequisiteError, UsageError } from '../errors.js';
import type { LoadResult } from '../load/types.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import type { Attach } from './attach.js';
import { runBasics } from './context.js';
import type { RunFrame, WorkloadChoice } from './types.js';

export type { WorkloadChoice } from './types.js';

/** The stage: the scenario's body with an attach that profiles every pod of the workload. */
export async function workloadRun(frame: RunFrame, scenario: Scenario, choice: WorkloadChoice): Promise<void> {
  if (!frame.definition.capabilities.existingWorkloads) {
    throw new UsageError(`--pod, --selector and --deployment profile a workload already running in a cluster: the ${frame.definition.name} target runs its own app (use --target kube)`);
  }
  frame.phases.start('deploy');
  const { connect } = await import('../targets/kube/client.js');
  const { profileWorkload } = await import('../workload.js');
  const options = frame.options;
  const client = connect({ kubeconfig: options.kubeconfig, context: options.context });
  const namespace = choice.namespace ?? client.config.getContextObject(client.context)?.namespace ?? 'default';
  const app: AppSpec = scenario.app;
  frame.evidence.app = { name: app.name, url: '', description: `workload in ${namespace} (${describe(choice)})`, environment: { cluster: `${client.server} (context ${client.context})`, namespace }, logs: async () => '' };
  frame.evidence.setupS = (performance.now() - frame.t0) / 1000;
  const extra: Verdict[] = [];
  let attached = false;
  const attach: Attach = async (tool, attachOptions = {}) => {
    if (tool.name !== 'py-spy') throw new PrerequisiteError(`an existing workload is profiled with py-spy (every pod, every worker); ${tool.name} is not supported there yet`);
    if (attached) throw new PrerequisiteError('an existing workload is profiled once per run: attach was called twice');
    attached = true;
    const durationS = attachOptions.durationS ?? frame.durationS;
    frame.phases.start('load + profile', { seconds: durationS });
    const r = await profileWorkload(client, {
      selector: { ...choice, namespace },
      toolsImage: frame.toolsImage,
      imagePullPolicy: options.imagePullPolicy ?? 'IfNotPresent',
      profile: scenario.debugProfile ?? 'general',
      durationS,
      load: !choice.noLoad && attachOptions.load !== false,
      port: app.port,
      loadPath: (attachOptions.load ? attachOptions.load.path : undefined) ?? app.loadPath,
      connectionsPerPod: (attachOptions.load ? attachOptions.load.connections : undefined) ?? scenario.load?.connections,
      outDir: frame.runDir,
      cleanup: frame.cleanup,
      signal: frame.signal,
      log: frame.log,
    });
    frame.evidence.profile = r.merged;
    frame.evidence.sampling = { mode: 'nonblocking', samplers: r.pods.length, rate_hz: 100 };
    for (const p of r.pods) for (const [name, file] of Object.entries(p.artifacts)) frame.artifacts[`${p.pod.name} ${name}`] = file;
    frame.warn(
      `pods profiled: ${r.pods.map((p) => `${p.pod.name} (${p.recording.perProcess.length} Python processes, debug container ${p.attached.name} ${p.attached.reused ? 'reused' : 'added'}; it carries ${p.attached.ephemeralContainers} ephemeral container(s), which stay until the pod is replaced)`).join('; ')}`,
    );
    const during = mergedLoad(r.pods.map((p) => p.load).filter((l): l is LoadResult => Boolean(l)));
    if (during) frame.evidence.load = during;
    else frame.warn('no load was applied (--no-load): the profile shows the traffic the workload already gets');
    extra.push(
      { name: 'pods unchanged', pass: r.changes.length === 0, expected: 'the same pods (UIDs) with the same restart counts after the run', actual: r.changes.join('; ') || `${r.after.length} pod(s), same UIDs, no restarts` },
      {
        name: 'no outlier pod',
        pass: r.outliers.outliers.length === 0,
        expected: 'every pod\'s hotspot shares within the others\' (Newcombe interval)',
        actual: r.outliers.outliers.length ? JSON.stringify(r.outliers.outliers) : comparedPods(r),
        details: r.outlierTable.split('\n'),
      },
    );
    return { evidence: { profile: r.merged, rawPath: r.mergedRawPath, svgPath: undefined, speedscopePath: '', argv: [] } as never, before: null, during, serving: [] };
  };
  const ctx: ScenarioContext = {
    ...runBasics(frame, app),
    app: undefined as never,
    debug: undefined as never,
    attach,
    load: async () => {
      throw new PrerequisiteError('an existing workload is loaded through attach() (one port-forward per pod), not load()');
    },
    dump: async () => {
      throw new PrerequisiteError('thread dumps of an existing workload are not taken yet');
    },
  };
  const start = performance.now();
  try {
    frame.evidence.verdicts = [...(await scenario.run(ctx)), ...extra];
  } finally {
    frame.evidence.bodyS = (performance.now() - start) / 1000;
  }
}

/** The pods' loads as one: requests and rates add up; latency percentiles are the worst pod's (not pooled). */
function mergedLoad(loads: readonly LoadResult[]): LoadResult | null {
  if (loads.length === 0) return null;
  const sum = (f: (l: LoadResult) => number) => loads.reduce((a, l) => a + f(l), 0);
  const max = (f: (l: LoadResult) => number) => Math.max(...loads.map(f));
  return { ...loads[0]!, url: `${loads.length} pods`, connections: sum((l) => l.connections), requests: sum((l) => l.requests), rps: Math.round(sum((l) => l.rps) * 100) / 100, p50_ms: max((l) => l.p50_ms), p90_ms: max((l) => l.p90_ms), p99_ms: max((l) => l.p99_ms), max_ms: max((l) => l.max_ms), errors: sum((l) => l.errors), timeouts: sum((l) => l.timeouts), non2xx: sum((l) => l.non2xx), timeline: undefined };
}

function describe(c: WorkloadChoice): string {
  return c.deployment ? `deployment ${c.deployment}` : c.pod ? `pod ${c.pod}` : `pods ${c.selector}`;
}

/** How many pods the outlier comparison actually compared: idle pods (no samples) have no share to compare. */
function comparedPods(r: { pods: readonly { recording: { merged: { totalWeight: number } } }[] }): string {
  const sampled = r.pods.filter((p) => p.recording.merged.totalWeight > 0).length;
  const idle = r.pods.length - sampled;
  if (sampled < 3) return `not judged: ${sampled} pod(s) with samples${idle ? ` (${idle} idle)` : ''}, at least 3 are needed to tell which one differs`;
  return `${sampled} pod(s) alike${idle ? `, ${idle} idle pod(s) not compared` : ''}`;
}
