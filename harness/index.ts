/**
 * holistic's public API: everything a scenario author needs, from one import. Scenarios (this repository's
 * and yours) import only from here; the CLI and the tests run them with runScenario.
 */
// Scenarios and the app under test
export { defineScenario, isCrashScenario } from './scenario.js';
export type { CrashContext, CrashScenario, RunBasics, Scenario, ScenarioContext } from './scenario.js';
export { defineApp } from './app.js';
export type { AppSpec, LocalAppSpec } from './app.js';

// Running one (loaded when called: a scenario file imports this module, and listing scenarios must stay fast)
export async function runScenario(...args: Parameters<typeof import('./run.js').runScenario>): ReturnType<typeof import('./run.js').runScenario> {
  return (await import('./run.js')).runScenario(...args);
}
export type { RunOptions, RunOutcome } from './run.js';
export type { Attach, Attached, AttachOptions } from './lifecycle/attach.js';
export type { LoadRequest, LoadSpec } from './lifecycle/load.js';
export type { KindResult, RequestKind } from './load/mix.js';

// Tools to attach (ctx.attach(tool, …)) and what they return
export { pySpyRecord } from './tools/py-spy.js';
export type { Dump, Recording } from './tools/py-spy.js';
export { memrayTrack, trackMemory } from './tools/memray.js';
export { bpftraceNative } from './tools/bpftrace.js';
export { asyncProfilerRecord } from './tools/async-profiler.js';
export type { JvmRecording } from './tools/async-profiler.js';
export type { AttachedTool, ToolIo } from './tools/attached.js';
export type { MemoryCapture, MemorySite } from './profile/memory.js';
export type { NativeProfile, NativeSymbol } from './profile/native.js';
export type { Profile } from './profile/model.js';
export type { ThreadDump } from './profile/pyspy-dump.js';
export type { LoadResult } from './load/types.js';

// Checks: verdicts as data
export type { Verdict } from './assert/verdict.js';
export { percent } from './assert/verdict.js';
export { checkHotspot, hotspots, shareOf } from './assert/hotspot.js';
export type { Hotspot, HotspotOptions } from './assert/hotspot.js';
export { checkLatency, checkNoLoadErrors } from './assert/load.js';
export { checkServedCount } from './assert/served.js';
export { checkServedWhileAttached, checkStillAnswers, throughputDrop } from './assert/serving.js';
export { checkLockContention } from './assert/contention.js';
export { checkTopHeldSite, describeSite } from './assert/memory.js';
export { checkNativeCalls, checkNativeShare } from './assert/native.js';
export { checkBadSetting, checkCrashed, readTraceback, settingsHolding } from './assert/crash.js';
export { checkNothingStaged } from './assert/staging.js';
export type { RegressionThresholds } from './baseline/thresholds.js';

// Errors with the contract's exit codes
export { ExitCode, PrerequisiteError, RunError, UsageError } from './errors.js';

// Targets, for scenarios that need to know (most do not)
export type { CrashedStart, DebugProfile, DebugSession, Deployment } from './targets/types.js';
export { probe } from './load/probe.js';
export { projectRoot } from './paths.js';
