/**
 * The code's shape, checked: no import cycle in harness/ or scenarios/, no module importing from a layer above
 * its own, scenarios importing only the public module (.dependency-cruiser.cjs says which layers). A new cycle or
 * an upward import fails here with the rule and the path of modules.
 */
import { createRequire } from 'node:module';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { expect, test } from 'vitest';
import { projectRoot } from '../harness/paths.js';

test('harness/ and scenarios/: no cycles, no upward imports', async () => {
  const rules = createRequire(import.meta.url)('../.dependency-cruiser.cjs');
  const previous = process.cwd();
  process.chdir(projectRoot);
  try {
    const result = await cruise(['harness', 'scenarios'], { validate: true, ruleSet: rules, ...rules.options });
    const output = result.output as ICruiseResult;
    const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' -> ')})` : ''}`);
    expect(violations).toEqual([]);
    // The check itself must have seen the code, not an empty tree.
    expect(output.summary.totalCruised).toBeGreaterThan(80);
  } finally {
    process.chdir(previous);
  }
});

test('no function in harness/ is longer than 80 lines (a long one is several stages in one)', async () => {
  const ts = (await import('typescript')).default;
  const { readdir, readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const files = (await readdir(path.join(projectRoot, 'harness'), { recursive: true })).filter((f) => f.endsWith('.ts'));
  const long: string[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, await readFile(path.join(projectRoot, 'harness', file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: import('typescript').Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        if (lines > 80) long.push(`harness/${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} (${lines} lines)`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  expect(files.length).toBeGreaterThan(80);
  expect(long).toEqual([]);
});
