/**
 * `holistic doctor [--target T]`: what each target needs, checked on this machine, each missing piece with how
 * to get it (the checks live with each target: targets/*-checks.ts). A check is `required` (the target cannot
 * run without it) or advisory (a run still works). A target is usable when every required check holds; the CLI
 * exits 0 for a usable target, 3 otherwise. Doctor also finds and removes what killed runs left behind.
 */
import { targetDefinition, targetNames } from './targets/index.js';
import type { Check, TargetOptions } from './targets/types.js';

export type { Check } from './targets/types.js';

export interface TargetReport {
  target: string;
  usable: boolean;
  checks: Check[];
}

export interface DoctorOptions extends Omit<TargetOptions, 'toolsImage'> {
  /** One target, or all of them. */
  target?: string;
}

export async function doctor(options: DoctorOptions = {}): Promise<TargetReport[]> {
  const wanted = options.target ? [options.target] : targetNames;
  const reports: TargetReport[] = [];
  for (const target of wanted) {
    const checks = await (await targetDefinition(target)).checks(options);
    reports.push({ target, checks, usable: checks.every((c) => c.ok || c.required === false) });
  }
  return reports;
}

export function formatDoctor(reports: readonly TargetReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.target} target: ${r.usable ? 'usable' : 'NOT usable'}`);
    for (const c of r.checks) {
      const mark = c.ok ? 'ok  ' : c.required === false ? 'note' : 'MISS';
      lines.push(`  ${mark} ${c.name.padEnd(40)} ${c.detail}`);
      if (!c.ok && c.fix) lines.push(`       ${''.padEnd(40)} fix: ${c.fix}`);
    }
  }
  return lines.join('\n');
}
