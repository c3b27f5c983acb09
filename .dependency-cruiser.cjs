/**
 * The layers of harness/, checked (test/structure.test.ts, `npx depcruise harness scenarios`): no import cycles,
 * and no module importing from a layer above its own. From the bottom up:
 *   base (errors, exec, owner, paths, cleanup, …) → profile/, stats/, load/ → targets/ → tools/ → assert/,
 *   baseline/, observer/, report/ → lifecycle/ → run.ts, index.ts → cli.ts, doctor.ts, leftovers.ts
 * Scenarios import only the public module, harness/index.ts.
 */
const above = (...dirs) => dirs.map((d) => `^harness/${d}`);
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'an import cycle', from: { path: '^(harness|scenarios)/' }, to: { circular: true } },
    {
      name: 'targets-below-tools-and-runner',
      severity: 'error',
      comment: 'targets/ know nothing of tools, checks, reports or the run',
      from: { path: '^harness/targets/' },
      to: { path: above('tools/', 'assert/', 'baseline/', 'observer/', 'report/', 'lifecycle/', 'run\\.ts', 'index\\.ts', 'cli\\.ts', 'doctor\\.ts', 'scenario\\.ts') },
    },
    {
      name: 'load-and-profile-below-targets',
      severity: 'error',
      comment: 'load/, profile/ and stats/ are below targets/: they take what they need as plain values',
      from: { path: '^harness/(load|profile|stats)/' },
      to: { path: above('targets/', 'tools/', 'assert/', 'baseline/', 'report/', 'lifecycle/', 'run\\.ts', 'cli\\.ts', 'scenario\\.ts') },
    },
    {
      name: 'tools-below-checks-and-runner',
      severity: 'error',
      from: { path: '^harness/tools/' },
      to: { path: above('assert/', 'baseline/', 'report/', 'lifecycle/', 'run\\.ts', 'index\\.ts', 'cli\\.ts', 'scenario\\.ts') },
    },
    {
      name: 'checks-do-not-run-tools',
      severity: 'error',
      comment: 'assert/, baseline/, observer/, report/ read evidence; they never run a tool or a target',
      from: { path: '^harness/(assert|baseline|observer|report)/' },
      to: { path: above('tools/', 'targets/', 'lifecycle/', 'run\\.ts', 'cli\\.ts') },
    },
    {
      name: 'lifecycle-below-entry-points',
      severity: 'error',
      from: { path: '^harness/lifecycle/' },
      to: { path: above('run\\.ts', 'index\\.ts', 'cli\\.ts', 'doctor\\.ts') },
    },
    {
      name: 'scenarios-use-the-public-module',
      severity: 'error',
      comment: 'a scenario imports holistic the way a user\'s scenario does: from harness/index.ts only',
      from: { path: '^scenarios/' },
      to: { path: '^harness/', pathNot: '^harness/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
