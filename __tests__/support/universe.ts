// Target universes recorded from `go tool dist list -json` of the suite's two toolchains, for
// pure tests of the grammar. (The build tests use the toolchains themselves.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TargetUniverse } from '../../src/targets/expand.js';
import { REPO_ROOT } from './toolchains.js';

interface Entry {
  GOOS: string;
  GOARCH: string;
  CgoSupported: boolean;
  FirstClass: boolean;
}

export function recordedUniverse(version: 'go1.19.8' | 'go1.23.5'): TargetUniverse {
  const file = path.join(REPO_ROOT, '__tests__', 'fixtures', 'dist', `${version}.json`);
  const entries = JSON.parse(readFileSync(file, 'utf8')) as Entry[];
  const [, major, minor] = /go(\d+)\.(\d+)/.exec(version) ?? [];
  return {
    goVersion: version,
    release: [Number(major), Number(minor)],
    dist: entries.map((e) => ({
      goos: e.GOOS,
      goarch: e.GOARCH,
      cgoSupported: e.CgoSupported,
      firstClass: e.FirstClass,
    })),
  };
}
