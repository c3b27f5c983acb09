/**
 * cpu-hotspot with k6 as the load generator (scenarios/k6/hash.ts): the same evidence, for teams whose load
 * tests are k6 scripts already. Needs a `k6` binary (>= 0.57) on PATH; without one the run exits 3 before
 * anything starts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHotspot } from '../harness/assert/hotspot.js';
import { checkNoLoadErrors } from '../harness/assert/load.js';
import { defineScenario } from '../harness/scenario.js';
import { badApp } from './apps/bad-app.js';

export default defineScenario({
  name: 'cpu-hotspot-k6',
  description: 'cpu-hotspot with k6 (a TypeScript k6 script) as the load generator; needs k6 on PATH',
  app: badApp,
  durationS: 10,
  load: { generator: 'k6', k6Script: path.join(path.dirname(fileURLToPath(import.meta.url)), 'k6', 'hash.ts'), connections: 2 },
  async run({ load, pySpy, durationS }) {
    const [recording, traffic] = await Promise.all([pySpy.record({ durationS }), load({ durationS })]);
    return [
      checkHotspot(recording.profile, /^hash_password \(/, { atLeast: 0.8, top: true, label: 'hash_password' }),
      checkNoLoadErrors(traffic),
    ];
  },
});
