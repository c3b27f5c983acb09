/**
 * The GIL, from two samplers over the same window at the same rate: the default one (every non-idle thread, each
 * tick) and a second one with py-spy `--gil` (only the thread holding the GIL, each tick). Per tick the default
 * sampler counts the active threads and the GIL sampler counts 1 if any thread held the GIL, so over the window:
 *   held    = GIL samples / default samples: the share of the default sampler's samples that held the GIL
 *   waiting = 1 - held: active samples of a thread without the GIL: waiting to get it back, or running C code
 *             that released it (bcrypt, zlib, I/O). The two cannot be told apart from stacks alone, so a high
 *             `waiting` is a GIL-contention finding only when the app's hot code holds the GIL.
 */
import type { Profile } from './model.js';

export interface GilShares {
  /** Share of the default sampler's samples in which the sampled thread held the GIL, 0..1. */
  held: number;
  /** Share active without the GIL (waiting for it, or in C code that released it), 0..1. */
  waiting: number;
  defaultSamples: number;
  gilSamples: number;
}

export function gilShares(defaultProfile: Profile, gilProfile: Profile): GilShares {
  const d = defaultProfile.totalWeight;
  const g = gilProfile.totalWeight;
  const held = d > 0 ? Math.min(1, g / d) : 0;
  return { held, waiting: d > 0 ? 1 - held : 0, defaultSamples: d, gilSamples: g };
}
