import type { LoadTimelinePoint } from './responses.js';

/** What any load generator reports, in the units summary.json uses. */
export interface LoadResult {
  generator: 'autocannon' | 'k6' | 'locust';
  url: string;
  connections: number;
  duration_s: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Connection errors and timeouts: requests that got no HTTP answer. */
  errors: number;
  timeouts: number;
  /** Answers with a status outside 2xx. */
  non2xx: number;
  /** Share of one CPU core the load generator used (autocannon is single-threaded: near 1 = it is the bottleneck). */
  loadgen_cpu?: number;
  /** CPU milliseconds the app spent per completed request (its process's utime + stime over the load). */
  app_cpu_ms_per_request?: number;
  /** Average CPU cores other processes on the machine used meanwhile (noise for wall-clock numbers). */
  others_cores?: number;
  /** Open loop at this many requests per second; percentiles corrected for coordinated omission. */
  rate?: number;
  /** Per request kind, when the load was a mix (load/mix.ts). */
  kinds?: KindResult[];
  /** Each request on a new connection (the app closes connections: load/per-connection.ts). */
  connection_per_request?: boolean;
  /** Per-second throughput and latency over the run (absent when the generator could not report it). */
  timeline?: LoadTimelinePoint[];
  /** Several generator processes (Locust workers): each one's share; the fields above are their exact merge (merge.ts). */
  workers?: WorkerLoad[];
  /** What the app itself counted as served during the load, when it exposes a counter (load/served.ts). */
  served?: ServedCount;
  /** The generator ran as pods in the app's cluster (not through the port-forward): where, and why. */
  in_cluster?: { namespace: string; app_url: string; reason: string };
}

/** One generator process's share of a load. */
export interface WorkerLoad {
  name: string;
  requests: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  non2xx: number;
  /** Share of a CPU core the worker used over the load (its own record: Locust runs each worker on one core). */
  cpu?: number;
  /** The process's log file. */
  log?: string;
}

/** The app's own count of the requests it served in the load window, against the generator's. */
export interface ServedCount {
  /** Requests the app counted on the load's paths between just before and just after the load. */
  app: number;
  /** Requests the generator counted as answered. */
  generator: number;
  /**
   * Allowed difference: requests in flight at the window's edges. The app's counter is read before the load
   * starts (nothing in flight) and after the generator stopped; a generator stops its users mid-request, so each
   * user may have had one request the app served but the generator never recorded: at most `users`.
   */
  tolerance: number;
}

/** One kind of request: what a load sends besides the URL (GET with no body by default). */
export interface RequestShape {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  headers?: Record<string, string>;
  /** A string is sent as is; an object as JSON (with content-type application/json). */
  body?: string | Record<string, unknown> | unknown[];
}

export interface LoadOptions extends RequestShape {
  url: string;
  durationS: number;
  connections: number;
  /**
   * Open loop: requests per second over all connections, sent on schedule whatever the answers take. Latencies
   * are then corrected for coordinated omission (a late answer also delays the requests queued behind it).
   */
  rate?: number;
  /** Per-request timeout in seconds. */
  timeoutS?: number;
  signal?: AbortSignal;
  /** Records every response (load/responses.ts); runLoad makes its own when not given one. */
  recorder?: import('./responses.js').ResponseRecorder;
}

/** What each kind of a mix got, exactly. */
export interface KindResult {
  name: string;
  connections: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  errors: number;
  non2xx: number;
}

/**
 * Pods next to the app, for a load generator that runs in the cluster (the kube and kind targets give one;
 * targets/kube/side-pods.ts). Plain functions: load/ is below targets/. Each pod and file set is the run's
 * (labelled with its id and owner) and removed at its end, whatever happens.
 */
export interface PodLauncher {
  /** The app's base URL from a pod next to it: its pod IP (no Service, kube-proxy or cluster DNS needed). */
  appUrl: string;
  /** The namespace the pods go in, for messages. */
  namespace: string;
  /** Text files as a ConfigMap that pods can mount. */
  files(name: string, files: Record<string, string>): Promise<void>;
  /** Create a pod and wait until it runs and has an IP (or has already ended). */
  start(spec: SidePodSpec): Promise<SidePod>;
}

export interface SidePodSpec {
  name: string;
  image: string;
  args: string[];
  env: Record<string, string>;
  /** ConfigMaps made by `files`, mounted read-only at a path. */
  mounts?: { files: string; path: string }[];
  /** A writable emptyDir at this path. */
  scratch?: string;
  /** Pods of one group are spread over the nodes where the scheduler can (preferred anti-affinity by hostname). */
  spreadGroup?: string;
}

export interface SidePodState {
  /** The pod's phase (Pending, Running, Succeeded, Failed), or Gone once it was deleted. */
  phase: string;
  exitCode?: number;
  /** Why its container is not running: a waiting or terminated reason (ErrImageNeverPull, OOMKilled, …). */
  reason?: string;
}

export interface SidePod {
  name: string;
  ip: string;
  state(): Promise<SidePodState>;
  logs(): Promise<string>;
  /** How a person reads its log: `kubectl logs -n NS pod/NAME`. */
  logsCommand: string;
  /** Delete it now (it is also deleted at the end of the run). */
  remove(): Promise<void>;
}
