/**
 * bad-app's /leak keeps every request's JSON document. Attach memray from the debug session to the running
 * distroless app (which has no memray: it is staged into the app's filesystem for the window and removed after),
 * put load on /leak, and the evidence must show the memory still held at the end coming from remember_document.
 * The app must keep serving while memray is attached and answer after it left.
 */
import { checkNoLoadErrors, checkTopHeldSite, defineScenario, describeSite, memrayTrack, percent, throughputDrop } from '../harness/index.js';
import { badApp, requirePlantedBug } from './apps/bad-app.js';

export default defineScenario({
  name: 'memory-leak',
  description: 'memray attached to the running app under load on /leak: remember_document must hold the memory',
  app: badApp,
  debugProfile: 'general',
  durationS: 5,
  async run({ app, attach, signal, log }) {
    await requirePlantedBug(app.url, '/leak', signal);
    // The load starts once memray tracks: the throughput drop compares like with like.
    const { evidence: capture, before, during, serving } = await attach(memrayTrack(), { load: { path: '/leak', connections: 2 } });
    for (const site of capture.sites.slice(0, 3)) log(`held: ${describeSite(site)}`);
    if (before) log(`throughput drop while memray was attached: ${percent(throughputDrop(before, during!))}`);
    return [checkTopHeldSite(capture, /^remember_document$/, 'remember_document'), ...serving, checkNoLoadErrors(during!)];
  },
});
