// Small hand-made manifests for the report tests: no toolchain needed.
import type { ArtifactEntry, Manifest } from '../../src/report/manifest.js';
import type { VerifyResult } from '../../src/verify/types.js';

export function verified(overrides: Partial<VerifyResult> = {}): VerifyResult {
  return {
    ok: true,
    format: 'elf',
    bits: 64,
    endian: 'little',
    machine: 'amd64',
    os: 'linux',
    linkage: 'static',
    interpreter: null,
    needed: [],
    glibc: null,
    floor: null,
    buildinfo: null,
    problems: [],
    notes: [],
    ...overrides,
  };
}

/** An ok, verified entry for `target` (GOOS/GOARCH[/VARIANT]); override anything. */
export function entry(target: string, overrides: Partial<ArtifactEntry> = {}): ArtifactEntry {
  const [goos = '', goarch = '', variant] = target.split('/');
  const suffix = variant ? `-${/^\d/.test(variant) ? `v${variant}` : variant}` : '';
  const file = `app-${goos}-${goarch}${suffix}${goos === 'windows' ? '.exe' : ''}`;
  return {
    name: 'app',
    package: '.',
    target,
    goos,
    goarch,
    env: { GOOS: goos, GOARCH: goarch, CGO_ENABLED: '0' },
    status: 'ok',
    path: `dist/${file}`,
    archive: null,
    archiveSha256: null,
    size: 2_097_152,
    sha256: 'ab'.repeat(32),
    buildSeconds: 1.25,
    timeline: { started: 0, built: 1.25, verified: 1.3, done: 1.3 },
    verify: verified({ machine: goarch, os: goos }),
    smoke: null,
    error: null,
    ...overrides,
  };
}

export function manifest(artifacts: ArtifactEntry[], overrides: Partial<Manifest> = {}): Manifest {
  return {
    schemaVersion: 1,
    tool: { name: 'go-build-matrix', version: '0.1.0' },
    go: { version: 'go1.23.5', hostGoos: 'linux', hostGoarch: 'amd64' },
    module: 'example.com/app',
    version: 'v1.2.3',
    commit: '0123456789abcdef0123456789abcdef01234567',
    date: '2026-01-01T00:00:00Z',
    cache: null,
    buildPhaseSeconds: 3,
    checksums: 'dist/checksums.txt',
    artifacts,
    ...overrides,
  };
}
