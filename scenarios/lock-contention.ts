/**
 * bad-app's /report holds one lock while it does slow work. Under concurrent load, py-spy dumps taken from the
 * debug session must show most request threads waiting on that lock and one thread holding it in the slow
 * function; a recording with --idle shows where the threads' time goes (waiting, not working).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { checkHotspot, checkLockContention, checkNoLoadErrors, defineScenario, percent, pySpyRecord, throughputDrop, type ThreadDump } from '../harness/index.js';
import { badApp, requirePlantedBug } from './apps/bad-app.js';

const connections = 8;

export default defineScenario({
  name: 'lock-contention',
  description: `${connections} clients on /report, which holds one lock during slow work: py-spy must show the queue`,
  app: badApp,
  debugProfile: 'general',
  durationS: 6,
  async run({ app, attach, dump, durationS, signal, log }) {
    await requirePlantedBug(app.url, '/report', signal);
    const dumps: ThreadDump[] = [];
    const { evidence: recording, before, during, serving } = await attach(pySpyRecord({ idle: true }), {
      load: { path: '/report', connections },
      meanwhile: async () => {
        // Three instants: one can fall between two holders (the lock changing hands).
        for (let i = 0; i < 3; i++) {
          await sleep(((i + 1) * durationS * 1000) / 5, undefined, { signal });
          dumps.push((await dump()).parsed);
        }
      },
    });
    if (before) log(`throughput drop while py-spy was attached: ${percent(throughputDrop(before, during!))}`);
    return [
      ...checkLockContention(dumps, { waitingIn: /^render_report$/, holder: /^build_slow_report$/, atLeast: connections / 2 }),
      // With --idle every thread's time counts: waiting at the lock must be where most of it goes.
      checkHotspot(recording.profile, /^render_report \(/, { atLeast: 0.4, top: true, label: 'render_report (waiting at the lock)' }),
      ...serving,
      checkNoLoadErrors(during!),
    ];
  },
});
