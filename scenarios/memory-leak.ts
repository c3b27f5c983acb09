/**
 * bad-app's /leak keeps every request's JSON document. Attach memray from the debug session to the running
 * distroless app (which has no memray: it is staged into the app's filesystem for the window and removed after),
 * put load on /leak, and the evidence must show the memory still held at the end coming from remember_document.
 * The app must keep serving while memray is attached and answer after it left.
 */
import path from 'node:path';
import { checkTopHeldSite, describeSite } from '../harness/assert/memory.js';
import { checkNoLoadErrors } from '../harness/assert/load.js';
import { checkServedWhileAttached, checkStillAnswers, throughputDrop } from '../harness/assert/serving.js';
import { percent } from '../harness/assert/verdict.js';
import { defineScenario } from '../harness/scenario.js';
import { trackMemory } from '../harness/tools/memray.js';
import { badApp, requirePlantedBug } from './apps/bad-app.js';

export default defineScenario({
  name: 'memory-leak',
  description: 'memray attached to the running app under load on /leak: remember_document must hold the memory',
  app: badApp,
  debugProfile: 'general',
  durationS: 5,
  async run({ app, appSpec, debug, load, durationS, signal, runDir, artifact, log }) {
    await requirePlantedBug(app.url, '/leak', signal);
    const before = await load({ path: '/leak', durationS, connections: 2 });
    log(`memray attach to pid ${debug.appPid} for ${durationS} s (staged into the app's filesystem, removed after)`);
    // The same load again, exactly while memray tracks: the throughput drop compares like with like.
    const capture = await trackMemory(debug, runDir, {
      durationS,
      signal,
      whileTracking: () => load({ path: '/leak', durationS, connections: 2 }),
    });
    const during = capture.during!;
    artifact('memray flame graph (leaks)', path.basename(capture.flamegraphPath));
    artifact('memray sites', path.basename(capture.sitesPath));
    for (const site of capture.sites.slice(0, 3)) log(`held: ${describeSite(site)}`);
    log(`throughput drop while memray was attached: ${percent(throughputDrop(before, during))}; attach took ${capture.attachS.toFixed(1)} s`);
    return [
      checkTopHeldSite(capture, /^remember_document$/, 'remember_document'),
      checkServedWhileAttached('memray', before, during),
      checkNoLoadErrors(during),
      await checkStillAnswers(app.url + appSpec.healthPath, signal),
    ];
  },
});
