/** What memray's capture says, as the run keeps it: sites by memory still held (tools/memray.ts makes these). */

export interface MemoryFrame {
  function: string;
  file: string;
  line: number;
}

export interface MemorySite {
  /** Bytes allocated at this stack and still held when tracking stopped. */
  bytes: number;
  allocations: number;
  allocator: string;
  /** Leaf first. */
  stack: MemoryFrame[];
}

export interface MemoryCapture {
  /** Sites by memory still held at the end of the window, largest first. */
  sites: MemorySite[];
  heldBytes: number;
  peakBytes: number;
  /** Host paths of what was copied out. */
  flamegraphPath: string;
  sitesPath: string;
  /** Seconds from the start of injection until memray was tracking (gdb + staging). */
  attachS: number;
}
