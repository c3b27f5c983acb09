/**
 * cpu-hotspot with k6 as the load generator (scenarios/k6/hash.ts): the same evidence, for teams whose load
 * tests are k6 scripts already. Needs a `k6` binary (>= 0.57) on PATH; without one the run exits 3 before
 * anything starts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHotspot, checkNoLoadErrors, defineScenario, pySpyRecord } from '../harness/index.js';
import { badApp } from './apps/bad-app.js';

export default defineScenario({
  name: 'cpu-hotspot-k6',
  description: 'cpu-hotspot with k6 (a TypeScript k6 script) as the load generator; needs k6 on PATH',
  app: badApp,
  durationS: 10,
  load: { generator: 'k6', k6Script: path.join(path.dirname(fileURLToPath(import.meta.url)), 'k6', 'hash.ts'), connections: 2 },
  async run({ attach }) {
    const { evidence: recording, during } = await attach(pySpyRecord());
    return [
      checkHotspot(recording.profile, /^hash_password \(/, { atLeast: 0.8, top: true, label: 'hash_password' }),
      checkNoLoadErrors(during!),
    ];
  },
});
