/**
 * The JVM row of the tutorial: bad-app's Java twin (distroless Java image: no shell, no JDK tools) is slow.
 * Load async-profiler into the running JVM from the debug session (SYS_PTRACE only; staged through
 * /proc/<pid>/root as the JVM's user, removed after), sample CPU (itimer: no perf events needed) under load, and
 * the evidence must show the BCrypt library's hashing where the time goes. The app keeps serving, and nothing
 * staged is left in its filesystem.
 */
import path from 'node:path';
import { checkHotspot } from '../harness/assert/hotspot.js';
import { checkNoLoadErrors } from '../harness/assert/load.js';
import { checkServedWhileAttached, checkStillAnswers, throughputDrop } from '../harness/assert/serving.js';
import { checkNothingStaged } from '../harness/assert/staging.js';
import { percent } from '../harness/assert/verdict.js';
import { defineScenario } from '../harness/scenario.js';
import { profileJvm } from '../harness/tools/async-profiler.js';
import { badAppJava } from './apps/bad-app-java.js';

export default defineScenario({
  name: 'jvm-cpu-hotspot',
  description: 'async-profiler loaded into the running JVM from the debug session: the BCrypt library must dominate',
  app: badAppJava,
  debugProfile: 'general',
  durationS: 10,
  async run({ app, appSpec, debug, load, durationS, signal, runDir, artifact, log }) {
    // Unprofiled first (it also warms the JIT up), then the same load exactly while async-profiler samples.
    const before = await load({ durationS: Math.max(2, Math.min(5, durationS / 2)), connections: 2 });
    const capture = await profileJvm(debug, runDir, { durationS, signal, whileProfiling: () => load({ durationS, connections: 2 }) });
    const during = capture.during!;
    artifact('async-profiler collapsed stacks', path.basename(capture.collapsedPath));
    artifact('async-profiler flame graph', path.basename(capture.flamegraphPath));
    log(`async-profiler attach took ${capture.attachS.toFixed(2)} s (attach socket ${capture.attach.socketS.toFixed(2)} s, agent loaded and started ${capture.attach.agentS.toFixed(2)} s); throughput ${during.rps} req/s profiled vs ${before.rps} unprofiled (drop ${percent(throughputDrop(before, during))})`);
    return [
      checkHotspot(capture.profile, /^at\/favre\/lib\/crypto\/bcrypt\//, { atLeast: 0.8, top: true, label: 'BCrypt (at.favre.lib.crypto.bcrypt)' }),
      checkServedWhileAttached('async-profiler', before, during),
      checkNoLoadErrors(during),
      checkNothingStaged('async-profiler', capture),
      await checkStillAnswers(app.url + appSpec.healthPath, signal),
    ];
  },
});
