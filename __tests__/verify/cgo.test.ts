// cgo builds through real C toolchains: dynamic linkage, interpreter, DT_NEEDED, the glibc floor (checked
// against readelf), mingw's msvcrt.dll import, and a fully static external link.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { VerifyRequest } from '../../src/verify/index.js';
import { verifyFile } from '../../src/verify/index.js';
import { toolchain } from '../support/toolchains.js';
import type { Built, FixtureSpec } from './fixtures.js';
import { CGO_MODULE, buildFixtures } from './fixtures.js';

const run = promisify(execFile);
describe.each(['1.23', '1.26', '1.27'] as const)('Go %s', (release) => {
  const tc = toolchain(release);

  const COMPILERS = ['gcc', 'aarch64-linux-gnu-gcc', 'arm-linux-gnueabihf-gcc', 'x86_64-w64-mingw32-gcc'];

  interface CgoCase extends FixtureSpec {
    variant: VerifyRequest['variant'];
    interpreter: string | null;
    needed: string;
  }

  const cgo = (cc: string, extra: Record<string, string> = {}): Record<string, string> => ({
    CGO_ENABLED: '1',
    CC: cc,
    ...extra,
  });

  const DYNAMIC: CgoCase[] = [
    {
      name: 'cgo-linux-amd64',
      goos: 'linux',
      goarch: 'amd64',
      env: cgo('gcc'),
      variant: null,
      interpreter: '/lib64/ld-linux-x86-64.so.2',
      needed: 'libc.so.6',
    },
    {
      name: 'cgo-linux-arm64',
      goos: 'linux',
      goarch: 'arm64',
      env: cgo('aarch64-linux-gnu-gcc'),
      variant: null,
      interpreter: '/lib/ld-linux-aarch64.so.1',
      needed: 'libc.so.6',
    },
    {
      name: 'cgo-linux-arm-7',
      goos: 'linux',
      goarch: 'arm',
      env: cgo('arm-linux-gnueabihf-gcc', { GOARM: '7' }),
      variant: { name: 'GOARM', value: '7' },
      interpreter: '/lib/ld-linux-armhf.so.3',
      needed: 'libc.so.6',
    },
  ];
  const WINDOWS: FixtureSpec = {
    name: 'cgo-windows-amd64.exe',
    goos: 'windows',
    goarch: 'amd64',
    env: cgo('x86_64-w64-mingw32-gcc'),
  };
  const STATIC: FixtureSpec = {
    name: 'cgo-linux-amd64-static',
    goos: 'linux',
    goarch: 'amd64',
    env: cgo('gcc'),
    args: ['-ldflags', '-linkmode external -extldflags -static'],
  };

  function request(c: FixtureSpec, more: Partial<VerifyRequest> = {}): VerifyRequest {
    return {
      goos: c.goos,
      goarch: c.goarch,
      variant: null,
      cgoEnabled: '1',
      linkage: 'any',
      maxGlibc: null,
      ...more,
    };
  }

  /** The highest GLIBC_x.y that `readelf --version-info` lists. */
  async function readelfGlibc(file: string): Promise<string | null> {
    const { stdout } = await run('readelf', ['--version-info', '--wide', file]);
    const versions = [...stdout.matchAll(/Name: GLIBC_(\d+(?:\.\d+)+)/g)].map((m) => m[1] ?? '');
    const key = (v: string): number[] => v.split('.').map(Number);
    versions.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      for (let i = 0; i < Math.max(x.length, y.length); i++)
        if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
      return 0;
    });
    return versions.at(-1) ?? null;
  }

  describe('cgo builds', () => {
    let built = new Map<string, Built>();
    const path = (c: FixtureSpec): string => {
      const b = built.get(c.name);
      if (!b?.path) throw new Error(`${c.name} failed to build: ${b?.error}`);
      return b.path;
    };

    beforeAll(async () => {
      const missing: string[] = [];
      for (const cc of COMPILERS) await run('which', [cc]).catch(() => missing.push(cc));
      if (missing.length > 0) {
        throw new Error(`missing C compilers ${missing.join(', ')}: run .ci/install-system-deps`);
      }
      built = await buildFixtures(
        tc,
        [...DYNAMIC, WINDOWS, STATIC].map((c) => ({ ...c, dir: CGO_MODULE })),
      );
    });

    it.each(DYNAMIC.map((c) => [c.name, c] as const))(
      '%s is dynamic, with its interpreter, libc and glibc floor',
      async (_, c) => {
        const file = path(c);
        const r = await verifyFile(file, request(c, { linkage: 'dynamic', variant: c.variant }));
        expect(r.problems).toEqual([]);
        expect(r.linkage).toBe('dynamic');
        expect(r.interpreter).toBe(c.interpreter);
        expect(r.needed).toContain(c.needed);
        expect(r.glibc).not.toBeNull();
        expect(r.glibc).toBe(await readelfGlibc(file));
        expect(r.buildinfo?.settings.CGO_ENABLED).toBe('1');

        const asStatic = await verifyFile(file, request(c, { linkage: 'static' }));
        expect(asStatic.ok).toBe(false);
        expect(asStatic.problems.join('\n')).toMatch(
          /dynamically linked \(interpreter .*needs .*libc\.so\.6/,
        );

        const old = await verifyFile(file, request(c, { maxGlibc: '2.17' }));
        expect(old.ok).toBe(false);
        const msg = old.problems.join('\n');
        expect(msg).toContain(`needs glibc ${r.glibc}`);
        expect(msg).toContain('at most 2.17');
        for (const remedy of ['CGO_ENABLED=0', 'older distribution', 'musl', '-extldflags -static'])
          expect(msg).toContain(remedy);
        // A bound at or above the floor passes.
        expect((await verifyFile(file, request(c, { maxGlibc: r.glibc ?? '' }))).ok).toBe(true);
        expect((await verifyFile(file, request(c, { cgoEnabled: '0' }))).problems).toContain(
          'build info says CGO_ENABLED=1 but the target requires CGO_ENABLED=0: if it is meant to be a cgo build, set the input cgo-enabled: 1',
        );
      },
    );

    it('windows/amd64 through mingw imports msvcrt.dll, which is not static', async () => {
      const file = path(WINDOWS);
      const r = await verifyFile(file, request(WINDOWS, { linkage: 'dynamic' }));
      expect(r.problems).toEqual([]);
      expect(r.linkage).toBe('dynamic');
      expect(r.needed.map((d) => d.toLowerCase())).toEqual(
        expect.arrayContaining(['kernel32.dll', 'msvcrt.dll']),
      );
      const asStatic = await verifyFile(file, request(WINDOWS, { linkage: 'static' }));
      expect(asStatic.ok).toBe(false);
      expect(asStatic.problems.join('\n')).toMatch(/imports .*msvcrt\.dll.* besides kernel32\.dll/i);
    });

    it('an -extldflags -static link is static and needs no glibc', async () => {
      const r = await verifyFile(path(STATIC), request(STATIC, { linkage: 'static', maxGlibc: '2.17' }));
      expect(r.problems).toEqual([]);
      expect(r.linkage).toBe('static');
      expect(r.interpreter).toBeNull();
      expect(r.needed).toEqual([]);
      expect(r.glibc).toBeNull();
      expect((await verifyFile(path(STATIC), request(STATIC, { linkage: 'dynamic' }))).ok).toBe(false);
    });
  });
});
