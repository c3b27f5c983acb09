/**
 * Where the load comes from on a cluster target: through the port-forward from this machine (autocannon, k6) or
 * from pods next to the app (Locust, load/locust/pods.ts). Locust always runs in the cluster there. The default
 * generator moves into the cluster on its own when the scenario asks for a rate the port-forward cannot carry:
 * its ceiling is measured once per run (a short closed-loop burst on the health path, the scenario's
 * connections), and the reason is logged and kept in the summary. HOLISTIC_IN_CLUSTER=never|always overrides.
 */
import { runLoad } from './autocannon.js';
import { ResponseRecorder } from './responses.js';
import type { PodLauncher } from './types.js';

/** The port-forward is "the limit" once a rate needs more than this share of what it carried. */
export const CEILING_SHARE = 0.8;
const burstS = 2;

export type InClusterMode = 'auto' | 'never' | 'always';

export function inClusterMode(env: NodeJS.ProcessEnv = process.env): InClusterMode {
  const v = env.HOLISTIC_IN_CLUSTER;
  return v === 'never' || v === 'always' ? v : 'auto';
}

export interface Placement {
  generator: 'autocannon' | 'k6' | 'locust';
  inCluster?: { pods: PodLauncher; reason: string };
}

export interface PlacementInput {
  generator: 'autocannon' | 'k6' | 'locust';
  /** The scenario named its generator (then it is never swapped). */
  chosen: boolean;
  pods: PodLauncher | undefined;
  rate: number | undefined;
  connections: number;
  mode: InClusterMode;
  /** Requests per second the port-forward carried (measured on demand, once). */
  forwardCeiling(): Promise<number>;
}

export async function placeLoad(i: PlacementInput): Promise<Placement> {
  if (!i.pods || i.mode === 'never') return { generator: i.generator };
  if (i.generator === 'locust') return { generator: 'locust', inCluster: { pods: i.pods, reason: 'Locust runs next to the app on a cluster target' } };
  if (i.chosen) return { generator: i.generator };
  if (i.mode === 'always') return { generator: 'locust', inCluster: { pods: i.pods, reason: 'HOLISTIC_IN_CLUSTER=always' } };
  if (!i.rate) return { generator: i.generator };
  const ceiling = await i.forwardCeiling();
  if (i.rate <= CEILING_SHARE * ceiling) return { generator: i.generator };
  return {
    generator: 'locust',
    inCluster: {
      pods: i.pods,
      reason: `the port-forward carried ${Math.round(ceiling)} req/s with ${i.connections} connections and the scenario asks ${i.rate} req/s (over ${CEILING_SHARE * 100}% of it): the port-forward would be the limit`,
    },
  };
}

/** Closed-loop requests per second through `url` for a moment: what the path there carries at most. */
export async function measureCeiling(url: string, connections: number, signal?: AbortSignal): Promise<number> {
  const raw = await runLoad({ url, connections, durationS: burstS, signal, recorder: new ResponseRecorder() });
  return raw.requests.total / burstS;
}
