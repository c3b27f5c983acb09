/**
 * cpu-hotspot with Locust as a distributed load generator: a master and 2 worker processes (pods on kube/kind),
 * the same evidence as cpu-hotspot, plus the merged request count checked against the app's own count.
 */
import { checkHotspot, checkNoLoadErrors, checkServedCount, defineScenario, pySpyRecord } from '../harness/index.js';
import { badApp } from './apps/bad-app.js';

export default defineScenario({
  name: 'cpu-hotspot-locust',
  description: 'cpu-hotspot with Locust (master + 2 workers) as the load generator; merged count checked against the app',
  app: badApp,
  durationS: 10,
  load: { generator: 'locust', workers: 2, connections: 2 },
  async run({ attach }) {
    const { evidence: recording, during } = await attach(pySpyRecord());
    return [
      checkHotspot(recording.profile, /^hash_password \(/, { atLeast: 0.8, top: true, label: 'hash_password' }),
      checkNoLoadErrors(during!),
      checkServedCount(during),
    ];
  },
});
