// cgo cross builds with the C compilers found on PATH, their linkage and glibc policy.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ArtifactEntry } from '../src/report/manifest.js';
import { build } from './support/engine.js';
import { REPO_ROOT, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
describe.each(['1.23', '1.26', '1.27'] as const)('Go %s', (release) => {
  const tc = toolchain(release);
  const CGO = path.join(REPO_ROOT, '__tests__', 'fixtures', 'verify', 'cgo');
  const byTarget = (artifacts: ArtifactEntry[]) => Object.fromEntries(artifacts.map((a) => [a.target, a]));

  /** The highest GLIBC_x.y that readelf lists among the file's version needs. */
  async function readelfGlibc(file: string): Promise<string> {
    const { stdout } = await execFileAsync('readelf', ['--version-info', '--wide', file]);
    const versions = [...stdout.matchAll(/Name: GLIBC_(\d+)\.(\d+)/g)].map(
      (m) => [Number(m[1]), Number(m[2])] as const,
    );
    versions.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const top = versions.at(-1);
    return top ? `${top[0]}.${top[1]}` : '';
  }

  describe('cgo-enabled: 1', () => {
    it('finds the cross compilers on PATH and reports dynamic linkage, interpreter, DT_NEEDED and glibc', async () => {
      const run = await build(tc, {
        targets: 'linux/amd64 linux/arm64 linux/arm/7 windows/amd64',
        'working-directory': CGO,
        'cgo-enabled': '1',
        'smoke-test': 'run',
      });
      const a = byTarget(run.manifest.artifacts);
      expect(run.manifest.artifacts.map((x) => [x.target, x.status])).toEqual([
        ['linux/amd64', 'ok'],
        ['linux/arm64', 'ok'],
        ['linux/arm/7', 'ok'],
        ['windows/amd64', 'ok'],
      ]);
      expect(a['linux/amd64']?.verify).toMatchObject({
        linkage: 'dynamic',
        interpreter: '/lib64/ld-linux-x86-64.so.2',
        needed: ['libc.so.6'],
      });
      expect(a['linux/arm64']?.verify).toMatchObject({
        linkage: 'dynamic',
        interpreter: '/lib/ld-linux-aarch64.so.1',
        needed: ['libc.so.6'],
      });
      expect(a['linux/arm/7']?.verify).toMatchObject({
        linkage: 'dynamic',
        interpreter: '/lib/ld-linux-armhf.so.3',
        needed: ['libc.so.6'],
      });
      expect(a['windows/amd64']?.verify?.needed).toEqual(expect.arrayContaining(['msvcrt.dll']));
      for (const target of ['linux/amd64', 'linux/arm64', 'linux/arm/7']) {
        const file = path.join('/', a[target]?.path ?? '');
        expect([target, a[target]?.verify?.glibc]).toEqual([target, await readelfGlibc(file)]);
        // Dynamic binaries ran too: natively, or under qemu with the cross sysroot.
        expect([target, a[target]?.smoke?.exitCode]).toEqual([target, 0]);
      }
    });

    it('max-glibc 2.17 fails the linux targets with the version and the remedies', async () => {
      const run = await build(tc, {
        targets: 'linux/amd64 linux/arm64 windows/amd64',
        'working-directory': CGO,
        'cgo-enabled': '1',
        'max-glibc': '2.17',
      });
      const a = byTarget(run.manifest.artifacts);
      for (const target of ['linux/amd64', 'linux/arm64']) {
        expect([target, a[target]?.status]).toEqual([target, 'verify-failed']);
        expect(a[target]?.error).toMatch(/GLIBC_2\.\d+.*2\.17/);
        expect(a[target]?.error).toMatch(/CGO_ENABLED=0/);
      }
      expect(a['windows/amd64']?.status).toBe('ok');
    });

    it('a static cgo build (-extldflags -static) passes linkage: static', async () => {
      const run = await build(tc, {
        targets: 'linux/amd64',
        'working-directory': CGO,
        'cgo-enabled': '1',
        linkage: 'static',
        ldflags: "-linkmode external -extldflags '-static'",
      });
      expect(run.manifest.artifacts[0]).toMatchObject({
        status: 'ok',
        verify: { linkage: 'static', interpreter: null, needed: [] },
      });
    });

    it('a cross target with no C compiler fails before go build, naming the cc input and the package', async () => {
      const run = await build(
        tc,
        {
          targets: 'linux/riscv64 linux/arm64',
          'working-directory': CGO,
          'cgo-enabled': '1',
        },
        { PATH: `${tc.binDir}:/usr/bin:/bin` },
      );
      const a = byTarget(run.manifest.artifacts);
      expect(a['linux/riscv64']).toMatchObject({
        status: 'build-failed',
        buildSeconds: null,
        error:
          "cgo-enabled is 1 but no C compiler for linux/riscv64 was found on PATH: install the Debian/Ubuntu package gcc-riscv64-linux-gnu (or zig), or set 'cc' to 'linux/riscv64=<compiler>'.",
      });
      expect(a['linux/arm64']?.status).toBe('ok');
    });
  });
});
