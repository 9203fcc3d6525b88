// A real program nobody here wrote: the Go toolchain's own cmd/gofmt (module `cmd` under
// GOROOT/src, dependencies vendored), built for several targets and run.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { build } from './support/engine.js';
import { describeFile, FILE_SAYS, goVersionM } from './support/inspect.js';
import { RELEASES, toolchain } from './support/toolchains.js';

describe.each(RELEASES)('cmd/gofmt from Go %s', (release) => {
  const tc = toolchain(release);
  const goroot = execFileSync(tc.go, ['env', 'GOROOT'], { encoding: 'utf8' }).trim();

  it('builds for a multi-target matrix and runs natively', async () => {
    const run = await build(tc, {
      targets: 'linux/amd64 linux/arm64 windows/amd64 darwin/arm64',
      'working-directory': path.join(goroot, 'src', 'cmd'),
      package: './gofmt',
    });
    expect(run.manifest.module).toBe('cmd');
    expect(run.manifest.artifacts.map((a) => [a.target, a.name, a.status])).toEqual([
      ['linux/amd64', 'gofmt', 'ok'],
      ['linux/arm64', 'gofmt', 'ok'],
      ['windows/amd64', 'gofmt', 'ok'],
      ['darwin/arm64', 'gofmt', 'ok'],
    ]);
    for (const a of run.manifest.artifacts) {
      const file = path.join('/', a.path ?? '');
      expect(await describeFile(file)).toMatch(FILE_SAYS[a.target] as RegExp);
      const info = await goVersionM(tc.go, file);
      expect(info.path).toBe('cmd/gofmt');
      expect(info.settings).toMatchObject(a.env);
    }
    const native = path.join('/', run.manifest.artifacts[0]?.path ?? '');
    const formatted = execFileSync(native, [], {
      input: 'package main\nfunc  main( ) {x:=1;_=x}\n',
      encoding: 'utf8',
    });
    expect(formatted).toBe('package main\n\nfunc main() { x := 1; _ = x }\n');
  });
});
