/**
 * The JVM row of the tutorial: bad-app's Java twin (distroless Java image: no shell, no JDK tools) is slow.
 * Load async-profiler into the running JVM from the debug session (SYS_PTRACE only; staged through
 * /proc/<pid>/root as the JVM's user, removed after), sample CPU (itimer: no perf events needed) under load, and
 * the evidence must show the BCrypt library's hashing where the time goes. The app keeps serving, and nothing
 * staged is left in its filesystem. The unprofiled load before it also warms the JIT up.
 */
import { asyncProfilerRecord, checkHotspot, checkNoLoadErrors, checkNothingStaged, defineScenario, percent, throughputDrop } from '../harness/index.js';
import { badAppJava } from './apps/bad-app-java.js';

export default defineScenario({
  name: 'jvm-cpu-hotspot',
  description: 'async-profiler loaded into the running JVM from the debug session: the BCrypt library must dominate',
  app: badAppJava,
  debugProfile: 'general',
  durationS: 10,
  async run({ attach, log }) {
    const { evidence: capture, before, during, serving } = await attach(asyncProfilerRecord(), { load: { connections: 2 } });
    if (before) log(`throughput ${during!.rps} req/s profiled vs ${before.rps} unprofiled (drop ${percent(throughputDrop(before, during!))})`);
    return [
      checkHotspot(capture.profile, /^at\/favre\/lib\/crypto\/bcrypt\//, { atLeast: 0.8, top: true, label: 'BCrypt (at.favre.lib.crypto.bcrypt)' }),
      ...serving,
      checkNoLoadErrors(during!),
      checkNothingStaged('async-profiler', capture),
    ];
  },
});
