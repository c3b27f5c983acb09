/** junit.xml: one testsuite per run, one testcase per verdict, so CI systems show each verdict. */
import type { RunSummary } from './summary.js';

const xml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 cannot carry most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd');

export function renderJunit(summary: RunSummary): string {
  const cases = summary.verdicts.map((v) => {
    const body = v.pass
      ? ''
      : `<failure message="${xml(`expected ${v.expected}; got ${v.actual}`)}">${xml([v.actual, ...(v.details ?? [])].join('\n'))}</failure>`;
    return `    <testcase classname="holistic.${xml(summary.scenario)}.${xml(summary.target)}" name="${xml(v.name)}" time="0">${body}</testcase>`;
  });
  if (summary.error) {
    cases.push(`    <testcase classname="holistic.${xml(summary.scenario)}.${xml(summary.target)}" name="run"><error message="${xml(summary.error.split('\n')[0]!)}">${xml(summary.error)}</error></testcase>`);
  }
  const failures = summary.verdicts.filter((v) => !v.pass).length;
  const total = summary.durations.setup_s + summary.durations.profile_s + summary.durations.teardown_s;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="holistic" tests="${cases.length}" failures="${failures}" errors="${summary.error ? 1 : 0}" time="${total.toFixed(3)}">`,
    `  <testsuite name="${xml(summary.scenario)} on ${xml(summary.target)}" tests="${cases.length}" failures="${failures}" errors="${summary.error ? 1 : 0}" timestamp="${xml(summary.startedAt)}" time="${total.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
