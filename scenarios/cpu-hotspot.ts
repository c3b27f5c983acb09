/**
 * The walkthrough itself: bad-app under load, py-spy attached from the debug session (SYS_PTRACE only), and the
 * evidence must show where the time goes: bcrypt's hashing, called from the app's hash_password, with every
 * request answered. A thread dump halfway through shows the same from the threads' side.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { checkHotspot, checkNoLoadErrors, defineScenario, pySpyRecord } from '../harness/index.js';
import { badApp } from './apps/bad-app.js';

export default defineScenario({
  name: 'cpu-hotspot',
  description: 'bad-app under load while py-spy records from the debug session: bcrypt hashing must dominate',
  app: badApp,
  debugProfile: 'general',
  durationS: 10,
  async run({ attach, dump, durationS, signal }) {
    const { evidence: recording, during } = await attach(pySpyRecord(), {
      load: { connections: 2 },
      meanwhile: () => sleep(Math.min(2000, (durationS * 1000) / 2), undefined, { signal }).then(() => dump()),
    });
    return [
      // bcrypt >= 4.1 is Rust and releases the GIL: the Python leaf of the hot path is the app's hashing function.
      checkHotspot(recording.profile, /^hash_password \(/, { atLeast: 0.8, top: true, label: 'hash_password' }),
      checkNoLoadErrors(during!),
    ];
  },
});
