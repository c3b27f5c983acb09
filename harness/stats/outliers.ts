/**
 * Per-pod outliers among replicas profiled in the same window: for each of the merged profile's top hotspots,
 * a pod's self share is compared with the share of all the OTHER pods pooled (Newcombe's interval for the
 * difference of two binomial proportions, harness/stats/proportion.ts). A pod is an outlier for that frame
 * when the whole interval lies beyond `minDifference` (a practically relevant gap, not just a significant one:
 * with thousands of samples a 0.5-point gap is significant and means nothing).
 */
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
  /** The other pods' pooled self share. */
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
  const top = options.topFrames ?? 3;
  const minDifference = options.minDifference ?? 0.05;
  const perPod = pods.map((p) => ({ pod: p.pod, total: p.profile.totalWeight, self: selfWeights(p.profile) }));
  const merged = new Map<string, { label: string; weight: number }>();
  for (const p of perPod) for (const [k, v] of p.self) merged.set(k, { label: v.label, weight: (merged.get(k)?.weight ?? 0) + v.weight });
  const frames = [...merged].sort((a, b) => b[1].weight - a[1].weight).slice(0, top);
  const rows: PodShare[] = [];
  if (pods.length >= 2) {
    for (const [key, { label }] of frames) {
      for (const p of perPod) {
        const k = p.self.get(key)?.weight ?? 0;
        const othersK = perPod.filter((o) => o !== p).reduce((s, o) => s + (o.self.get(key)?.weight ?? 0), 0);
        const othersN = perPod.filter((o) => o !== p).reduce((s, o) => s + o.total, 0);
        const difference = shareDifference(othersK, othersN, k, p.total, options.confidence ?? 0.95);
        const outlier = difference.low > minDifference || difference.high < -minDifference;
        rows.push({ pod: p.pod, frame: label, share: p.total ? k / p.total : 0, others: othersN ? othersK / othersN : 0, difference, samples: p.total, outlier });
      }
    }
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
