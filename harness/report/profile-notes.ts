/**
 * What the profile's shares rest on, stated in the report beside the hotspots: how many stacks py-spy read without
 * their thread root (and what was re-rooted), how much of the time threads held the GIL or were active without it
 * (the app is GIL-bound when many waited), and in blocking sampling, how many samples sat in a stdlib wait that
 * py-spy counted busy. summary.json and the CLI carry the same numbers; this is where a reader of the page sees them.
 * Everything here is numbers and fixed text: nothing from a profile is printed.
 */
import { percent } from '../assert/verdict.js';
import type { Profile } from '../profile/model.js';
import { dropIdleLeaves } from '../profile/idle.js';
import type { RunSummary } from './summary.js';

/** Share of the default sampler's active samples without the GIL above which the report calls the app GIL-bound. */
const GIL_BOUND = 0.2;

function truncationNote(s: RunSummary): string | undefined {
  if (s.truncated_fraction === undefined) return undefined;
  if (s.truncated_fraction === 0) return 'Truncated stacks: none (every sample starts at a thread root).';
  return `Truncated stacks: ${percent(s.truncated_fraction)} of samples had no thread root (py-spy read the stack mid-change); ` +
    `${percent(s.truncated_repaired_fraction ?? 0)} were re-rooted onto complete stacks that end the same way, ` +
    `${percent(s.truncated_unrepaired_fraction ?? 0)} left as they were: a caller's <b>total</b> may read low by up to that much.`;
}

function gilNote(s: RunSummary): string | undefined {
  if (!s.gil) return undefined;
  const bound = s.gil.waiting >= GIL_BOUND;
  return `GIL: ${percent(s.gil.held)} of active samples held the GIL, ${percent(s.gil.waiting)} were active without it ` +
    `(waiting for it, or in C code that released it), from a second sampler with --gil (${s.gil.gil_samples} samples). ` +
    (bound
      ? `<b>The app is GIL-bound</b>: at least ${percent(GIL_BOUND)} of its active samples were threads without the GIL, so shares of the default sampler count GIL waits as work.`
      : `Below ${percent(GIL_BOUND)} without the GIL: not GIL-bound.`);
}

function idleNote(s: RunSummary, profile: Profile | undefined): string | undefined {
  const mode = (s as RunSummary & { observer?: { sampling?: { mode?: string } } | null }).observer?.sampling?.mode;
  if (mode !== 'blocking' || !profile) return undefined;
  const idle = dropIdleLeaves(profile);
  return `Blocking sampling: py-spy cannot see a stopped thread's state, so it counted every thread busy; ` +
    `${percent(idle.idleFraction)} of samples had a standard-library wait as innermost frame and are idle in truth (${idle.statement}). ` +
    'The shares above include them: run with the default nonblocking sampling for shares of busy time.';
}

export function renderProfileNotes(s: RunSummary, profile: Profile | undefined): string {
  const notes = [truncationNote(s), gilNote(s), idleNote(s, profile)].filter((n): n is string => n !== undefined);
  if (!notes.length) return '';
  return `<section id="profile-notes"><h2>What the shares rest on</h2>\n<ul>${notes.map((n) => `<li>${n}</li>`).join('')}</ul>\n</section>`;
}
