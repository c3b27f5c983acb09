/**
 * Below Python: bpftrace from a privileged debug session (kubectl debug --profile=sysadmin) samples the app's
 * CPU by instruction pointer and counts calls of bcrypt's native hashpw with a uprobe. Where py-spy can only say
 * "hash_password", the native view must say which machine code: the Rust blowfish code of bcrypt's extension.
 */
import path from 'node:path';
import { checkNoLoadErrors } from '../harness/assert/load.js';
import { checkNativeCalls, checkNativeShare } from '../harness/assert/native.js';
import { checkServedWhileAttached, checkStillAnswers, throughputDrop } from '../harness/assert/serving.js';
import { percent } from '../harness/assert/verdict.js';
import { defineScenario } from '../harness/scenario.js';
import { nativeProfile } from '../harness/tools/bpftrace.js';
import { badApp } from './apps/bad-app.js';

export default defineScenario({
  name: 'native-view',
  description: 'bpftrace (privileged debug session) samples native code under load: bcrypt\'s Rust code must dominate',
  app: badApp,
  debugProfile: 'sysadmin',
  durationS: 6,
  async run({ app, appSpec, debug, load, durationS, signal, runDir, artifact, log }) {
    const before = await load({ durationS, connections: 2 });
    log(`bpftrace: profile:hz:99 and uprobes on bcrypt's hashpw in pid ${debug.appPid} for ${durationS} s`);
    const [native, during] = await Promise.all([
      nativeProfile(debug, runDir, { durationS, library: /\/_bcrypt[^/]*\.so$/, functions: /^bcrypt_rust::hashpw$/, signal }),
      load({ durationS, connections: 2 }),
    ]);
    artifact('bpftrace program', path.basename(native.programPath));
    artifact('native samples', path.basename(native.resultPath));
    for (const s of native.symbols.slice(0, 3)) log(`native: ${s.samples} samples ${s.symbol}`);
    log(`throughput drop while bpftrace was attached: ${percent(throughputDrop(before, during))}`);
    return [
      checkNativeShare(native, /\/_bcrypt[^/]*\.so$/, { atLeast: 0.8, label: "bcrypt's extension (_bcrypt.abi3.so)" }),
      checkNativeCalls(native, 'bcrypt_rust::hashpw'),
      checkServedWhileAttached('bpftrace', before, during),
      checkNoLoadErrors(during),
      await checkStillAnswers(app.url + appSpec.healthPath, signal),
    ];
  },
});
