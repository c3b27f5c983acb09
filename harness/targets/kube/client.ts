/**
 * The Kubernetes API through @kubernetes/client-node, with what the library leaves out: a timeout on every call
 * and errors that say which call failed and why (RBAC, Pod Security, not found) in the contract's terms.
 */
import { CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { PrerequisiteError, RunError } from '../../errors.js';

export interface KubeClient {
  config: KubeConfig;
  core: CoreV1Api;
  context: string;
  server: string;
}

export interface KubeConnectOptions {
  /** kubeconfig file (default: $KUBECONFIG, then ~/.kube/config). */
  kubeconfig?: string;
  context?: string;
}

export function connect(options: KubeConnectOptions = {}): KubeClient {
  const config = new KubeConfig();
  try {
    if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
    else config.loadFromDefault();
  } catch (error) {
    throw new PrerequisiteError(
      `cannot read the kubeconfig ${options.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config'}: ${(error as Error).message}`,
    );
  }
  if (options.context) {
    if (!config.getContexts().some((c) => c.name === options.context)) {
      throw new PrerequisiteError(
        `context ${JSON.stringify(options.context)} is not in the kubeconfig (contexts: ${config.getContexts().map((c) => c.name).join(', ') || 'none'})`,
      );
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new PrerequisiteError('the kubeconfig has no current cluster: set a context (--context or kubectl config use-context)');
  return { config, core: config.makeApiClient(CoreV1Api), context: config.getCurrentContext(), server: cluster.server };
}

/** Await an API call with a deadline; name it in the error. */
export async function call<T>(what: string, promise: Promise<T>, timeoutMs = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RunError(`the Kubernetes API did not answer within ${timeoutMs} ms to: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } catch (error) {
    throw explain(what, error);
  } finally {
    clearTimeout(timer);
  }
}

export function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API's own message (a Status object in the body), else the error's. */
function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      return body.slice(0, 500);
    }
  }
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function explain(what: string, error: unknown): Error {
  if (error instanceof RunError || error instanceof PrerequisiteError) return error;
  const code = statusCode(error);
  const message = apiMessage(error);
  if (code === 403 && /PodSecurity/i.test(message)) {
    return new PrerequisiteError(`${what}: refused by Pod Security admission: ${message}\nThe namespace's pod-security level must allow it (label pod-security.kubernetes.io/enforce).`, { cause: error });
  }
  if (code === 403) {
    return new PrerequisiteError(`${what}: forbidden: ${message}\nAsk for the RBAC permission it names (kubectl auth can-i …).`, { cause: error });
  }
  if (code === 401) return new PrerequisiteError(`${what}: not authenticated: ${message}`, { cause: error });
  if (code === undefined && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|fetch failed|socket hang up/i.test(String((error as Error)?.message) + String((error as { cause?: unknown })?.cause))) {
    return new PrerequisiteError(`${what}: the cluster is not reachable (${message})`, { cause: error });
  }
  const wrapped = new RunError(`${what}: ${code ? `HTTP ${code}: ` : ''}${message}`, { cause: error });
  (wrapped as { code?: number }).code = code;
  return wrapped;
}

/** First contact: is there a cluster at all, and which version. */
export async function serverVersion(client: KubeClient): Promise<string> {
  try {
    const info = await call('get the server version', client.config.makeApiClient(VersionApi).getCode(), 15_000);
    return info.gitVersion;
  } catch (error) {
    throw new PrerequisiteError(
      `no Kubernetes cluster answered at ${client.server} (context ${client.context}): ${(error as Error).message}\n` +
        'Check KUBECONFIG / --context, or start one (kind create cluster; in this repository: hack/local-cluster/up).',
      { cause: error },
    );
  }
}
