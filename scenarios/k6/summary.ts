/**
 * Runs inside k6, not Node. Re-export this from a k6 script (`export { handleSummary } from './summary.ts'`):
 * k6 calls it at the end of the test with its summary data, and it writes that JSON where the harness asked
 * (__ENV.HOLISTIC_SUMMARY), which harness/load/k6-summary.ts maps to a LoadResult. k6's own text summary is
 * not printed: the harness prints its own.
 */
export function handleSummary(data: object): Record<string, string> {
  const file = __ENV.HOLISTIC_SUMMARY;
  return file ? { [file]: JSON.stringify(data) } : { stdout: JSON.stringify(data, null, 2) };
}
