/**
 * Per-pod outliers among replicas profiled in the same window. For the merged profile's top hotspot (or its
 * top `topFrames` frames),
 * every pair of pods is compared (Newcombe's interval for the difference of two binomial proportions,
 * harness/stats/proportion.ts); a pair differs when the whole interval lies beyond `minDifference` (a
 * practically relevant gap, not just a significant one: with thousands of samples a 0.5-point gap is
 * significant and means nothing). A pod is an outlier for that frame when it differs from MORE than half of
 * the other pods: one slow replica among three is flagged, the two that agree are not (comparing each pod with
 * all others pooled would flag them too, since the pool contains the slow one). Two pods cannot outvote each
 * other: with fewer than 3 pods nothing is flagged. The row then shows the pod against the pooled pods that
 * are not outliers.
 */
import { dropIdleLeaves } from '../profile/idle.js';
import { frameKey, frameLabel, frameStats, type Profile } from '../profile/model.js';
import { shareDifference, type Interval } from './proportion.js';

export interface PodProfile {
  pod: string;
  profile: Profile;
}

export interface PodShare {
  pod: string;
  frame: string;
  /** The pod's self share of this frame, 0..1. */
  share: number;
  /** The pooled self share of the other pods that are not outliers. */
  others: number;
  /** share - others, with its interval. */
  difference: Interval;
  samples: number;
  outlier: boolean;
}

export interface OutlierReport {
  /** Frames compared (the merged profile's top ones by self share). */
  frames: string[];
  rows: PodShare[];
  /** Pods flagged for at least one frame, with the frame and the gap, for a verdict. */
  outliers: { pod: string; frame: string; share: number; others: number; difference: Interval }[];
}

function selfWeights(profile: Profile): Map<string, { label: string; weight: number }> {
  const m = new Map<string, { label: string; weight: number }>();
  for (const s of frameStats(profile)) m.set(frameKey(s.frame), { label: frameLabel({ ...s.frame, line: undefined }), weight: s.selfWeight });
  return m;
}

export function podOutliers(pods: readonly PodProfile[], options: { topFrames?: number; minDifference?: number; confidence?: number } = {}): OutlierReport {
  // The hotspot only by default: shares of the other frames move with how busy a pod was (an idle wait such
  // as gunicorn's SyncWorker.wait counts as a sample when its worker is between requests), which measured a
  // replica that merely got less load through its port-forward as an 'outlier' (16% vs 3% waiting).
  const top = options.topFrames ?? 1;
  const minDifference = options.minDifference ?? 0.05;
  // A pod without samples (idle in the window) has no share to compare: it neither votes nor can be flagged,
  // and its row says so (samples 0). Otherwise one idle replica would outvote the busy ones.
  // Shares are of each pod's work, its idle-leaf samples left out (harness/profile/idle.ts): a replica that
  // merely got less traffic spends more samples in gunicorn's SyncWorker.wait, which diluted its hotspot share
  // and flagged it (78% vs 96% with 46 samples, three identical replicas on a crowded machine).
  const perPod = pods
    .map((p) => ({ pod: p.pod, profile: dropIdleLeaves(p.profile).profile }))
    .filter((p) => p.profile.totalWeight > 0)
    .map((p) => ({ pod: p.pod, total: p.profile.totalWeight, self: selfWeights(p.profile) }));
  const merged = new Map<string, { label: string; weight: number }>();
  for (const p of perPod) for (const [k, v] of p.self) merged.set(k, { label: v.label, weight: (merged.get(k)?.weight ?? 0) + v.weight });
  const frames = [...merged].sort((a, b) => b[1].weight - a[1].weight).slice(0, top);
  const rows: PodShare[] = [];
  const confidence = options.confidence ?? 0.95;
  const beyond = (d: Interval) => d.low > minDifference || d.high < -minDifference;
  if (perPod.length >= 2) {
    for (const [key, { label }] of frames) {
      const k = (p: (typeof perPod)[number]) => p.self.get(key)?.weight ?? 0;
      const flagged = new Set(
        perPod.length < 3
          ? []
          : perPod.filter((p) => perPod.filter((o) => o !== p && beyond(shareDifference(k(o), o.total, k(p), p.total, confidence))).length > (perPod.length - 1) / 2),
      );
      for (const p of perPod) {
        let reference = perPod.filter((o) => o !== p && !flagged.has(o));
        if (reference.length === 0) reference = perPod.filter((o) => o !== p);
        const othersK = reference.reduce((s, o) => s + k(o), 0);
        const othersN = reference.reduce((s, o) => s + o.total, 0);
        const difference = shareDifference(othersK, othersN, k(p), p.total, confidence);
        rows.push({ pod: p.pod, frame: label, share: p.total ? k(p) / p.total : 0, others: othersN ? othersK / othersN : 0, difference, samples: p.total, outlier: flagged.has(p) });
      }
    }
  }
  for (const p of pods) {
    if (!perPod.some((q) => q.pod === p.pod)) rows.push({ pod: p.pod, frame: '(no samples: idle in the window)', share: 0, others: 0, difference: { estimate: 0, low: 0, high: 0 }, samples: 0, outlier: false });
  }
  return {
    frames: frames.map(([, v]) => v.label),
    rows,
    outliers: rows.filter((r) => r.outlier).map(({ pod, frame, share, others, difference }) => ({ pod, frame, share, others, difference })),
  };
}

/** A per-pod hotspot table as text (for the report and logs). */
export function formatOutlierTable(report: OutlierReport): string {
  const lines = ['pod | frame | self share | other pods | difference (95% interval) | samples | outlier'];
  for (const r of report.rows) {
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    lines.push(`${r.pod} | ${r.frame} | ${pct(r.share)} | ${pct(r.others)} | ${pct(r.difference.estimate)} [${pct(r.difference.low)}, ${pct(r.difference.high)}] | ${r.samples} | ${r.outlier ? 'OUTLIER' : ''}`);
  }
  return lines.join('\n');
}
