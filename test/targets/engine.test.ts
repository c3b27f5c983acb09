/** The engine choice: --engine and HOLISTIC_ENGINE honoured, and `auto` picking the engine that has what the run needs. */
import { describe, expect, test } from 'vitest';
import { engineChoice, engineCommand, pickEngine, type EngineProbe } from '../../harness/targets/engine.js';

const app = 'localhost/badapp:latest';
const tools = 'localhost/debug-tools:latest';
const probe = (name: 'podman' | 'docker', holds: string[] = [], works = true): EngineProbe => ({
  name, works, version: `${name} version x`, holds: Object.fromEntries([app, tools].map((i) => [i, holds.includes(i)])),
});

describe('engineChoice', () => {
  test('an explicit engine wins over HOLISTIC_ENGINE', () => {
    expect(engineChoice('podman', { HOLISTIC_ENGINE: 'docker' })).toEqual({ choice: 'podman', from: '--engine' });
  });
  test('auto (the CLI default) and no option defer to HOLISTIC_ENGINE', () => {
    expect(engineChoice('auto', { HOLISTIC_ENGINE: 'docker' })).toEqual({ choice: 'docker', from: 'HOLISTIC_ENGINE' });
    expect(engineChoice(undefined, { HOLISTIC_ENGINE: 'docker' })).toEqual({ choice: 'docker', from: 'HOLISTIC_ENGINE' });
    expect(engineChoice('auto', {})).toEqual({ choice: 'auto', from: 'default' });
  });
  test('the docker client is HOLISTIC_DOCKER when set', () => {
    expect(engineCommand('docker', { HOLISTIC_DOCKER: '/usr/bin/docker' })).toBe('/usr/bin/docker');
    expect(engineCommand('docker', {})).toBe('docker');
    expect(engineCommand('podman', { HOLISTIC_DOCKER: '/usr/bin/docker' })).toBe('podman');
  });
});

describe('pickEngine (auto)', () => {
  test('the GitHub runner case: images built with docker, podman installed too -> docker, saying why', () => {
    const pick = pickEngine([probe('podman'), probe('docker', [app, tools])], { images: [app, tools] });
    expect(pick).toEqual({ name: 'docker', reason: `docker holds ${app} and ${tools} (podman does not)` });
  });
  test('images in podman only -> podman', () => {
    expect(pickEngine([probe('podman', [app, tools]), probe('docker')], { images: [app, tools] })?.name).toBe('podman');
  });
  test('both hold them -> podman first, and the reason says both do', () => {
    const pick = pickEngine([probe('docker', [app, tools]), probe('podman', [app, tools])], { images: [app, tools] });
    expect(pick?.name).toBe('podman');
    expect(pick?.reason).toContain('so does docker');
  });
  test('neither holds both -> the one holding more; a tie -> podman (it can build them)', () => {
    expect(pickEngine([probe('podman'), probe('docker', [tools])], { images: [app, tools] })?.name).toBe('docker');
    const tie = pickEngine([probe('podman'), probe('docker')], { images: [app, tools] });
    expect(tie?.name).toBe('podman');
    expect(tie?.reason).toMatch(/no engine holds all .* podman holds 0 of them \(podman first/);
  });
  test('for kind: the engine kind uses, whatever holds the images', () => {
    expect(pickEngine([probe('podman', [app, tools]), probe('docker')], { images: [app, tools], forKind: true }))
      .toEqual({ name: 'docker', reason: 'kind uses docker (docker answers: kind prefers it)' });
    expect(pickEngine([probe('podman'), probe('docker')], { forKind: true, kindProvider: 'podman' }))
      .toEqual({ name: 'podman', reason: 'kind uses podman (KIND_EXPERIMENTAL_PROVIDER)' });
    expect(pickEngine([probe('podman'), probe('docker', [], false)], { forKind: true })?.name).toBe('podman');
  });
  test('an engine that does not answer is never picked; none -> undefined', () => {
    expect(pickEngine([probe('podman', [app, tools], false), probe('docker')], { images: [app, tools] })?.name).toBe('docker');
    expect(pickEngine([probe('podman', [], false), probe('docker', [], false)])).toBeUndefined();
  });
});
