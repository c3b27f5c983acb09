/**
 * vitest matchers over the same checks the CLI uses, so a failure reads the same in both:
 *   expect(profile).toHaveHotspot(/hash_password/, { atLeast: 0.8 })
 * Import this module once (vitest.config.ts setupFiles does) to register them.
 */
import { expect } from 'vitest';
import type { Profile } from '../profile/model.js';
import { checkHotspot, type FrameMatcher, type HotspotOptions } from './hotspot.js';
import { formatVerdict } from './format.js';
import type { Verdict } from './verdict.js';

expect.extend({
  toHaveHotspot(received: Profile, matcher: FrameMatcher, options: HotspotOptions = {}) {
    const verdict = checkHotspot(received, matcher, options);
    return { pass: verdict.pass, message: () => formatVerdict(verdict) };
  },
  toPassVerdicts(received: { verdicts: Verdict[] }) {
    const failed = received.verdicts.filter((v) => !v.pass);
    return {
      pass: failed.length === 0 && received.verdicts.length > 0,
      message: () =>
        received.verdicts.length === 0 ? 'no verdicts were given' : received.verdicts.map(formatVerdict).join('\n'),
    };
  },
});

interface HolisticMatchers<R = unknown> {
  toHaveHotspot(matcher: FrameMatcher, options?: HotspotOptions): R;
  toPassVerdicts(): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends HolisticMatchers<T> {}
}
