/** What a native CPU profile (bpftrace) says, as the run keeps it (tools/bpftrace.ts makes these). */

export interface NativeSymbol {
  /** Demangled function name, `[kernel]`, or `[file+offset]` when the file has no symbol there. */
  symbol: string;
  /** The mapped file (path inside the app's filesystem). */
  object: string;
  samples: number;
}

export interface NativeProfile {
  /** CPU samples of the app (all its threads), by symbol, most first. */
  symbols: NativeSymbol[];
  totalSamples: number;
  /** Calls counted by uprobe, per probed function (demangled). */
  calls: Record<string, number>;
  probedLibrary: string;
  /** The bpftrace program that ran, saved next to the results. */
  programPath: string;
  resultPath: string;
}
