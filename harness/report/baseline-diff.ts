/**
 * The report's "what changed against the baseline" section: the differential flame graph of this run's profile
 * against the baseline's stacks (diff-flamegraph.ts: red grew, blue shrank, a toggle for the baseline's layout)
 * and the functions whose self share moved beyond the interval. Shown only when the run was gated against a
 * baseline; a baseline without stacks (saved by an older holistic) gets a note on how to re-save it.
 */
import type { Profile } from '../profile/model.js';
import { renderDiffFlameGraph } from './diff-flamegraph.js';
import { escapeHtml } from './escape.js';

export interface BaselineDiffInput {
  /** The baseline file, for the captions. */
  file: string;
  /** The baseline's profile from its stacks; undefined when the file has none. */
  baseline: Profile | undefined;
  /** This run's profile (the one the gate compared: truncated stacks re-rooted). */
  current: Profile | undefined;
  /** Advice when the baseline has no stacks. */
  advice?: string;
}

export function renderBaselineDiff(input: BaselineDiffInput | undefined): string {
  if (!input) return '';
  const body = !input.baseline
    ? `<div class="note warn">No differential flame graph: ${escapeHtml(input.advice ?? `the baseline ${input.file} has no stacks`)}.</div>`
    : !input.current
      ? '<p class="muted">This run has no profile to compare with the baseline\'s stacks.</p>'
      : renderDiffFlameGraph(input.baseline, input.current, { id: 'baseline-diff-graph', baselineName: 'baseline', currentName: 'this run' });
  return `<section id="baseline-diff"><h2>What changed against the baseline <small>differential flame graph, <code>${escapeHtml(input.file)}</code></small></h2>\n${body}\n</section>`;
}
