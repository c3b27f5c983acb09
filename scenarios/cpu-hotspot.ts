/**
 * The tutorial's story: bad-app feels slow; attach py-spy from outside while it is under load, and the
 * evidence must show where the time goes — bcrypt hashing, inside the app's own hash_password — with every
 * request answered. A thread dump halfway through shows the same from the threads' side.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { checkHotspot } from '../harness/assert/hotspot.js';
import { checkNoLoadErrors } from '../harness/assert/load.js';
import { defineScenario } from '../harness/scenario.js';
import { badApp } from './apps/bad-app.js';

export default defineScenario({
  name: 'cpu-hotspot',
  description: 'bad-app under load while py-spy records from the debug session: bcrypt hashing must dominate',
  app: badApp,
  debugProfile: 'general',
  durationS: 10,
  async run({ load, pySpy, durationS, signal }) {
    const [recording, traffic] = await Promise.all([
      pySpy.record({ durationS }),
      load({ durationS, connections: 2 }),
      sleep(Math.min(2000, (durationS * 1000) / 2), undefined, { signal }).then(() => pySpy.dump()),
    ]);
    return [
      // bcrypt >= 4.1 is Rust and releases the GIL: the Python leaf of the hot path is the app's hashing function.
      checkHotspot(recording.profile, /^hash_password \(/, { atLeast: 0.8, top: true, label: 'hash_password' }),
      checkNoLoadErrors(traffic),
    ];
  },
});
