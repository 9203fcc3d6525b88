// The Go tool cache: a pinned Go command built once from the module proxy with the job's Go,
// appearing by rename (two jobs at once each see a whole file), reused without running Go again,
// and rebuilt when the file there is not that tool.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { observeProcessStarts } from '../src/exec.js';
import type { GoToolRequest } from '../src/tools/go-tool.js';
import { goTool, toolCacheRoot, toolPath } from '../src/tools/go-tool.js';
import { readBuildInfos } from '../src/verify/index.js';
import { GOVULNCHECK } from '../src/vulncheck/index.js';
import { tempDir } from './support/engine.js';
import { SUITE_GOMODCACHE } from './support/thirdparty.js';
import { goEnv, toolchain } from './support/toolchains.js';

const tc = toolchain('1.26');
const cache = tempDir('tool-cache');

afterAll(() => rmSync(cache, { recursive: true, force: true }));

const request: GoToolRequest = {
  tool: GOVULNCHECK,
  goVersion: 'go1.26.8',
  hostGoos: 'linux',
  hostGoarch: 'amd64',
  env: goEnv(tc, { GOMODCACHE: SUITE_GOMODCACHE, RUNNER_TOOL_CACHE: cache }),
};

describe('goTool', () => {
  it('lives under RUNNER_TOOL_CACHE, else the user cache directory, keyed by tool, version, Go and host', () => {
    expect(toolPath(request)).toBe(
      path.join(cache, 'go-build-matrix', 'govulncheck', 'v1.9.0', 'go1.26.8-linux-amd64', 'govulncheck'),
    );
    expect(toolCacheRoot({ HOME: '/home/u', XDG_CACHE_HOME: '/x' })).toBe('/x/go-build-matrix/tools');
    expect(toolCacheRoot({ HOME: '/home/u' })).toBe('/home/u/.cache/go-build-matrix/tools');
  });

  it('builds it once for two jobs at once, each seeing the whole file, then reuses it without Go', async () => {
    const [first, second] = await Promise.all([goTool(request), goTool(request)]);
    expect(first?.file).toBe(toolPath(request));
    expect(second?.file).toBe(first?.file);
    const file = first?.file ?? '';
    // Only the tool is left: no half-built file, no build directory.
    expect(readdirSync(path.dirname(file))).toEqual(['govulncheck']);
    const [info] = await readBuildInfos(file);
    expect([info?.path, info?.moduleVersion]).toEqual([GOVULNCHECK.pkg, GOVULNCHECK.version]);
    expect(execFileSync(file, ['-version'], { encoding: 'utf8' })).toContain('Scanner: govulncheck@v1.9.0');

    const started: string[][] = [];
    const stop = observeProcessStarts(({ argv }) => started.push([...argv]));
    try {
      expect(await goTool(request)).toEqual({ file, built: false });
    } finally {
      stop();
    }
    expect(started).toEqual([]);
  }, 600_000);

  it('rebuilds a file in its place that is not the tool', async () => {
    const file = toolPath(request);
    // A new file in its place (the tool may still be open for execution: ETXTBSY on a write).
    rmSync(file);
    writeFileSync(file, 'not govulncheck');
    expect(await goTool(request)).toEqual({ file, built: true });
    const [info] = await readBuildInfos(file);
    expect(info?.moduleVersion).toBe(GOVULNCHECK.version);
  }, 600_000);
});
