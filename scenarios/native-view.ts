/**
 * Below Python: bpftrace from a privileged debug session (kubectl debug --profile=sysadmin) samples the app's
 * CPU by instruction pointer and counts calls of bcrypt's native hashpw with a uprobe. Where py-spy can only say
 * "hash_password", the native view must say which machine code: the Rust blowfish code of bcrypt's extension.
 */
import { bpftraceNative, checkNativeCalls, checkNativeShare, checkNoLoadErrors, defineScenario, percent, throughputDrop } from '../harness/index.js';
import { badApp } from './apps/bad-app.js';

export default defineScenario({
  name: 'native-view',
  description: 'bpftrace (privileged debug session) samples native code under load: bcrypt\'s Rust code must dominate',
  app: badApp,
  debugProfile: 'sysadmin',
  durationS: 6,
  async run({ attach, log }) {
    const tool = bpftraceNative({ library: /\/_bcrypt[^/]*\.so$/, functions: /^bcrypt_rust::hashpw$/ });
    const { evidence: native, before, during, serving } = await attach(tool, { load: { connections: 2 } });
    for (const s of native.symbols.slice(0, 3)) log(`native: ${s.samples} samples ${s.symbol}`);
    if (before) log(`throughput drop while bpftrace was attached: ${percent(throughputDrop(before, during!))}`);
    return [
      checkNativeShare(native, /\/_bcrypt[^/]*\.so$/, { atLeast: 0.8, label: "bcrypt's extension (_bcrypt.abi3.so)" }),
      checkNativeCalls(native, 'bcrypt_rust::hashpw'),
      ...serving,
      checkNoLoadErrors(during!),
    ];
  },
});
