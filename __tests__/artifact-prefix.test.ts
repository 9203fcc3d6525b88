// artifact-prefix (issue 27, item 3): what every artifact of a build starts with, and the one filter
// of collect. Two builds in one run (two modules here) upload to one results-service emulation; each
// collect takes only its own legs and never downloads the other's artifacts. Real builds.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { collectResults } from '../src/collect/index.js';
import { MemoryLogger } from '../src/log.js';
import { InputError } from '../src/options/errors.js';
import { parseOptions } from '../src/options/options.js';
import { artifactPrefix } from '../src/upload/prefix.js';
import { build, copyModule, tempDir } from './support/engine.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import { EXAMPLE_MODULE, toolchain } from './support/toolchains.js';

const tc = toolchain('1.26');

let service: ResultsService;
beforeAll(async () => {
  service = await startResultsService();
});
afterAll(async () => {
  await service.close();
});

/** examples/hello under another module path. */
function moduleAt(modulePath: string): string {
  const dir = tempDir('prefix-module');
  copyModule(EXAMPLE_MODULE, dir);
  writeFileSync(path.join(dir, 'go.mod'), `module ${modulePath}\n\ngo 1.19\n`);
  return dir;
}

describe('the derived prefix', () => {
  it('is the module path’s last element and 8 hex digits of the module path and the call', () => {
    const prefix = artifactPrefix(null, 'example.com/hello', {});
    expect(prefix).toMatch(/^hello-[0-9a-f]{8}-$/);
    expect(artifactPrefix(null, 'example.com/hello/v2', {})).toMatch(/^hello-[0-9a-f]{8}-$/);
    // Another module of the same last element, another call of the same module: other prefixes.
    const others = [
      artifactPrefix(null, 'example.org/hello', {}),
      artifactPrefix(null, 'example.com/hello', { GO_BUILD_MATRIX_CALL: '{"go-version":"1.25"}' }),
      artifactPrefix(null, 'example.com/hello', { GO_BUILD_MATRIX_CALL: '{"go-version":"1.26"}' }),
    ];
    expect(new Set([prefix, ...others]).size).toBe(4);
    expect(artifactPrefix('mine-', 'example.com/hello', {})).toBe('mine-');
  });

  it('a given prefix the artifact service would refuse is an error on artifact-prefix', () => {
    expect(() => parseOptions({ 'artifact-prefix': 'a/b-' }, EXAMPLE_MODULE)).toThrow(InputError);
    expect(() => parseOptions({ 'artifact-prefix': 'a/b-' }, EXAMPLE_MODULE)).toThrow(/'artifact-prefix'/);
  });
});

describe('two builds in one run each collect their own legs', () => {
  it('two modules, two legs each: every artifact starts with its module’s prefix, each collect downloads only its own', async () => {
    const run = 'run-two-modules';
    const modules = [
      { path: 'example.com/alpha/hello', dir: moduleAt('example.com/alpha/hello') },
      { path: 'example.com/beta/hello', dir: moduleAt('example.com/beta/hello') },
    ];
    const legs = ['linux/amd64', 'windows/amd64'];
    for (const [m, module] of modules.entries()) {
      for (const [l, targets] of legs.entries()) {
        // What the reusable workflow does: every leg gets the prefix its plan job derived.
        const prefix = artifactPrefix(null, module.path, {});
        const result = await build(
          tc,
          { targets, 'working-directory': module.dir, cache: 'false', 'artifact-prefix': prefix },
          service.envFor(run, `build-${m}-${l}`),
        );
        expect([module.path, targets, result.uploadError]).toEqual([module.path, targets, null]);
        expect(result.artifactPrefix).toBe(prefix);
      }
    }
    const names = service.artifacts().map((a) => a.name);
    // The same binary names in both modules, and still no 409: the prefixes keep them apart.
    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);

    for (const module of modules) {
      const prefix = artifactPrefix(null, module.path, {});
      const workspace = tempDir('prefix-collect');
      const from = service.requests.length;
      const collected = await collectResults({
        outputDir: path.join(workspace, 'dist'),
        env: { ...service.envFor(run, `collect-${module.path}`), GITHUB_WORKSPACE: workspace },
        log: new MemoryLogger(),
        requested: legs,
        prefix,
      });
      expect([collected.missing, collected.failed]).toEqual([[], []]);
      expect(collected.manifest.module).toBe(module.path);
      expect(collected.manifest.artifacts.map((a) => a.target)).toEqual(legs);
      // Only this module's artifacts were downloaded: never the other's.
      const downloaded = service.requests
        .slice(from)
        .filter((q) => q.method === 'GetSignedArtifactURL')
        .map((q) => String(q.body?.name));
      expect(downloaded.sort()).toEqual(
        [`${prefix}hello-linux-amd64`, `${prefix}hello-windows-amd64`].sort(),
      );
      expect(readdirSync(path.join(workspace, 'dist')).sort()).toEqual([
        'checksums.txt',
        'hello-linux-amd64.tar.gz',
        'hello-windows-amd64.zip',
        'manifest.json',
      ]);
    }
  });

  it('a given artifact-prefix names the artifacts as given', async () => {
    const dir = tempDir('prefix-given');
    copyModule(EXAMPLE_MODULE, dir);
    const result = await build(
      tc,
      { targets: 'linux/arm64', 'working-directory': dir, cache: 'false', 'artifact-prefix': 'call-a-' },
      service.envFor('run-given', 'build'),
    );
    expect(result.uploadError).toBeNull();
    expect(
      service
        .artifacts()
        .filter((a) => a.runId === 'run-given')
        .map((a) => a.name),
    ).toEqual(['call-a-hello-linux-arm64']);
  });
});
