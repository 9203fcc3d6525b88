// Target universes recorded from `go tool dist list -json -broken` of the suite's toolchains, for
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
  Broken?: boolean;
}

export function recordedUniverse(version: 'go1.19.8' | 'go1.23.5' | 'go1.26.8' | 'go1.27.3'): TargetUniverse {
  const file = path.join(REPO_ROOT, '__tests__', 'fixtures', 'dist', `${version}.json`);
  const entries = JSON.parse(readFileSync(file, 'utf8')) as Entry[];
  const [, major, minor] = /go(\d+)\.(\d+)/.exec(version) ?? [];
  return {
    goVersion: version,
    release: [Number(major), Number(minor)],
    dist: entries.filter((e) => e.Broken !== true).map(target),
    broken: entries.filter((e) => e.Broken === true).map(target),
  };
}

function target(e: Entry): TargetUniverse['dist'][number] {
  return { goos: e.GOOS, goarch: e.GOARCH, cgoSupported: e.CgoSupported, firstClass: e.FirstClass };
}
