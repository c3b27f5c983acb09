/** What the container target needs (`holistic doctor --target container`): a working engine, its settings, the images. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths.js';
import { projectContainersConf, type Engine } from './engine.js';
import { defaultAppImage, defaultToolsImage, imageId } from './images.js';
import type { Check } from './types.js';

export async function engineChecks(engine: Engine | Error, options: { imagesRequired: boolean }): Promise<Check[]> {
  if (engine instanceof Error) {
    return [{ name: 'container engine', ok: false, detail: engine.message.split(':')[0]!, fix: 'apt-get install podman runc (or docker.io with a running daemon)' }];
  }
  const checks: Check[] = [{ name: 'container engine', ok: true, detail: engine.version }];
  if (engine.name === 'podman') {
    const info = await engine.run(['info', '--format', '{{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}} cgroups {{.Host.CgroupsVersion}}'], { reject: false, timeoutMs: 30_000 });
    const conf = process.env.HOLISTIC_CONTAINERS_CONF ?? projectContainersConf;
    checks.push({
      name: 'podman settings',
      ok: info.exitCode === 0 && existsSync(conf),
      detail: info.exitCode === 0 ? `${info.stdout.trim()} (CONTAINERS_CONF=${path.relative(process.cwd(), conf) || conf})` : info.stderr.trim().split('\n')[0] ?? 'podman info failed',
      fix: `keep ${path.relative(projectRoot, projectContainersConf)} (runc, cgroupfs, lower ulimits) or point HOLISTIC_CONTAINERS_CONF at your own`,
    });
  }
  const buildable = engine.name === 'podman' && existsSync(path.join(projectRoot, 'hack', 'images', 'build'));
  for (const image of [defaultAppImage, defaultToolsImage]) {
    const id = await imageId(engine, image);
    checks.push({
      name: `image ${image}`,
      ok: Boolean(id),
      detail: id ? id.replace(/^sha256:/, '').slice(0, 12) : 'missing',
      fix: buildable ? 'hack/images/build (offline; a run also builds it on first use)' : `build it and load it into ${engine.name} (make -C app build)`,
      // podman builds the project's images on first use; anything else must have them already.
      required: options.imagesRequired && !buildable,
    });
  }
  return checks;
}
