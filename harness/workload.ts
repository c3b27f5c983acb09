/**
 * Profile an existing workload on Kubernetes: every selected pod at once, for the same window, every Python
 * process in each (master and workers). Nothing of the app is created, changed or restarted: each pod gets
 * holistic's debug container (reused when one matches: ephemeral containers cannot be removed), the load goes
 * through a port-forward per pod (or there is none: `load: false`, the traffic the workload already gets), and
 * the evidence is one merged profile, one profile per pod and per process, and a per-pod outlier table.
 *
 * This is the library entry point run.ts/cli.ts call for `--pod/--selector/--deployment [--container] [--no-load]`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Cleanup } from './cleanup.js';
import { RunError } from './errors.js';
import { runLoad, summarizeLoad } from './load/autocannon.js';
import { runConnectionPerRequest } from './load/per-connection.js';
import { probe } from './load/probe.js';
import { ResponseRecorder } from './load/responses.js';
import type { LoadResult } from './load/types.js';
import { ProfileBuilder, toCollapsed, type Profile } from './profile/model.js';
import { formatOutlierTable, podOutliers, type OutlierReport } from './stats/outliers.js';
import type { KubeClient } from './targets/kube/client.js';
import { checkWorkloadPermissions } from './targets/kube/permissions.js';
import { portForward } from './targets/kube/port-forward.js';
import { attachDebugSession, type AttachedSession } from './targets/kube/reuse.js';
import { findWorkloadPods, podChanges, podIdentities, type PodIdentity, type WorkloadPod, type WorkloadSelector } from './targets/kube/workload.js';
import type { DebugProfile } from './targets/types.js';
import { recordAllProcesses, type MultiProcessRecording } from './tools/py-spy-processes.js';

export interface WorkloadRunOptions {
  selector: WorkloadSelector;
  toolsImage: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  profile: DebugProfile;
  durationS: number;
  /** Load through a port-forward to each pod (default true); false = --no-load. */
  load?: boolean;
  /** Port of the app in the pod (default: the container's first declared TCP port). */
  port?: number;
  loadPath?: string;
  connectionsPerPod?: number;
  /** Where per-pod artifacts go (one folder per pod). */
  outDir: string;
  cleanup: Cleanup;
  signal: AbortSignal;
  log: (line: string) => void;
}

export interface PodResult {
  pod: WorkloadPod;
  attached: Omit<AttachedSession, 'session'>;
  recording: MultiProcessRecording;
  load: LoadResult | undefined;
  /** Artifacts of this pod, relative to outDir. */
  artifacts: Record<string, string>;
}

export interface WorkloadRunResult {
  pods: PodResult[];
  /** All pods' samples: what the scenario's verdicts read. */
  merged: Profile;
  mergedRawPath: string;
  outliers: OutlierReport;
  outlierTable: string;
  before: PodIdentity[];
  after: PodIdentity[];
  /** Empty when the pods are the same pods (same UIDs, no restarts) afterwards. */
  changes: string[];
  loadApplied: boolean;
}

/**
 * One pod's load through its port-forward. A server that closes the connection after each response (gunicorn's
 * sync workers do) gets a new connection per request, as the run's own app does (lifecycle/deploy.ts
 * probeLoadPath): autocannon kept waiting on the closed connections and sent one request per connection in
 * the whole window (CI: 6 requests in 12 s per pod, so a cheap replica had no samples to compare).
 */
async function loadPod(pod: string, url: string, o: Pick<WorkloadRunOptions, 'durationS' | 'connectionsPerPod' | 'signal' | 'log'>): Promise<LoadResult> {
  const connections = o.connectionsPerPod ?? 4;
  const first = await probe(url, 30_000, o.signal);
  if (first.keepAlive) {
    const raw = await runLoad({ url, durationS: o.durationS + 2, connections, signal: o.signal });
    return summarizeLoad(raw, { url: `pod ${pod}`, connections });
  }
  o.log(`pod ${pod} closes the connection after each response (HTTP/${first.httpVersion}): one connection per request`);
  return runConnectionPerRequest({ url, durationS: o.durationS + 2, connections, signal: o.signal, recorder: new ResponseRecorder() });
}

/** Merge profiles by appending every sample (all pods, same window, same sampling rate). */
export function mergeProfiles(profiles: readonly Profile[], source: string): Profile {
  const builder = new ProfileBuilder(source);
  for (const p of profiles) for (const s of p.samples) builder.appendSample(s.stack.map((i) => p.frames[i]!), s.weight);
  return builder.build();
}

export async function profileWorkload(client: KubeClient, o: WorkloadRunOptions): Promise<WorkloadRunResult> {
  const load = o.load ?? true;
  await checkWorkloadPermissions(client, o.selector.namespace, { load, deployment: Boolean(o.selector.deployment) });
  const pods = await findWorkloadPods(client, o.selector);
  o.log(`workload: ${pods.length} pod(s): ${pods.map((p) => `${p.name} (container ${p.container}, node ${p.node})`).join(', ')}`);
  const before = pods.map((p) => ({ name: p.name, uid: p.uid, restarts: p.restarts }));

  // Sessions first, all of them: the sampling windows then start together.
  const attached = await Promise.all(
    pods.map((p) =>
      attachDebugSession(client, p, { image: o.toolsImage, target: p.container, profile: o.profile, imagePullPolicy: o.imagePullPolicy }, { signal: o.signal, log: o.log }),
    ),
  );
  const forwards = load
    ? await Promise.all(
        pods.map(async (p) => {
          const port = o.port ?? p.port;
          if (!port) throw new RunError(`pod ${p.namespace}/${p.name} declares no container port: give the app's port, or --no-load`);
          const f = await portForward(client, p.namespace, p.name, port);
          o.cleanup.add(`close the port-forward to ${p.name}`, () => f.close());
          return f;
        }),
      )
    : [];
  if (!load) o.log('no load applied (--no-load): profiling the traffic the workload already gets');

  const results = await Promise.all(
    pods.map(async (p, i) => {
      const dir = path.join(o.outDir, 'pods', p.name);
      await mkdir(dir, { recursive: true });
      const loading = load ? loadPod(p.name, `http://127.0.0.1:${forwards[i]!.port}${o.loadPath ?? '/'}`, o) : undefined;
      const recording = await recordAllProcesses(attached[i]!.session, dir, { durationS: o.durationS, signal: o.signal });
      const loadResult = loading ? await loading : undefined;
      const artifacts: Record<string, string> = { [`${p.name} profile`]: path.relative(o.outDir, recording.mergedRawPath) };
      for (const proc of recording.perProcess) if (proc.rawPath) artifacts[`${p.name} pid ${proc.pid}`] = path.relative(o.outDir, proc.rawPath);
      const { session: _session, ...info } = attached[i]!;
      return { pod: p, attached: info, recording, load: loadResult, artifacts };
    }),
  );

  for (const r of results) {
    if (r.recording.merged.totalWeight === 0) {
      o.log(`warning: pod ${r.pod.name}: no active Python samples in the window: it served nothing${load ? ' of the load sent to it' : ''}, or only waited (idle threads are not sampled); left out of the outlier comparison`);
    }
  }
  const merged = mergeProfiles(results.map((r) => r.recording.merged), `py-spy raw, ${results.length} pod(s) merged`);
  const mergedRawPath = path.join(o.outDir, 'profile.txt');
  await writeFile(mergedRawPath, toCollapsed(merged).join('\n') + '\n');
  const outliers = podOutliers(results.map((r) => ({ pod: r.pod.name, profile: r.recording.merged })));
  const after = await podIdentities(client, pods);
  return {
    pods: results,
    merged,
    mergedRawPath,
    outliers,
    outlierTable: formatOutlierTable(outliers),
    before,
    after,
    changes: podChanges(before, after),
    loadApplied: load,
  };
}
