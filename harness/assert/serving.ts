/**
 * The app must keep serving while a tool is attached and after it leaves: "non-intrusive" is a claim to check,
 * not to assume. The throughput drop while attached is measured against a window just before, in the same run.
 */
import { probe } from '../load/probe.js';
import type { LoadResult } from '../load/types.js';
import { percent, type Verdict } from './verdict.js';

/** rps lost while the tool was attached, 0..1 (negative when it went faster: noise). */
export function throughputDrop(before: LoadResult, during: LoadResult): number {
  return before.rps > 0 ? 1 - during.rps / before.rps : 0;
}

/** `before` is the same load without the tool (null when it was skipped: --unprofiled 0). */
export function checkServedWhileAttached(tool: string, before: LoadResult | null, during: LoadResult): Verdict {
  const bad = during.errors + during.non2xx;
  return {
    name: `served while ${tool} attached`,
    pass: during.requests > 0 && bad === 0,
    expected: 'requests answered while the tool was attached, none failed',
    actual:
      `${during.requests} requests, ${bad} failed; ${during.rps} req/s attached` +
      (before ? ` vs ${before.rps} req/s before (throughput drop ${percent(throughputDrop(before, during))})` : ' (no unprofiled load to compare with)'),
  };
}

/** One request after the tool has left: the app is still there and answering. */
export async function checkStillAnswers(url: string, signal?: AbortSignal): Promise<Verdict> {
  const name = 'app answers after the tool left';
  const expected = `GET ${url} answers 2xx`;
  try {
    const r = await probe(url, 10_000, signal);
    return { name, pass: r.status >= 200 && r.status < 300, expected, actual: `HTTP ${r.status}` };
  } catch (error) {
    signal?.throwIfAborted();
    return { name, pass: false, expected, actual: `no answer: ${(error as Error).message}` };
  }
}
