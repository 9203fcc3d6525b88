// Smoke runs: every built binary started with the smoke-test arguments — natively, under
// qemu-user for other Linux arches (with the cross sysroot for dynamic cgo binaries), and
// skipped with the reason where nothing here can run it.
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import type { ArtifactEntry } from '../src/report/manifest.js';
import { smokeTest } from '../src/smoke/index.js';
import { chooseRunner } from '../src/smoke/runner.js';
import { build } from './support/engine.js';
import { EXAMPLE_MODULE, REPO_ROOT, toolchain } from './support/toolchains.js';

describe.each(['1.23', '1.26', '1.27'] as const)('Go %s', (release) => {
  const tc = toolchain(release);
  const QEMU_TARGETS =
    'linux/arm64 linux/arm/6 linux/arm/7 linux/riscv64 linux/ppc64le linux/s390x linux/mips linux/mips64le linux/loong64';

  const byTarget = (artifacts: ArtifactEntry[]) => Object.fromEntries(artifacts.map((a) => [a.target, a]));

  describe('smoke tests', () => {
    it("run js/wasm with the toolchain's wasm_exec and wasip1/wasm with node:wasi, exit status included", async () => {
      const run = await build(tc, {
        targets: 'js/wasm wasip1/wasm',
        'working-directory': EXAMPLE_MODULE,
        'smoke-test': '-version',
        version: 'v3.1.4',
        ldflags: '-X main.version={version}',
      });
      const a = byTarget(run.manifest.artifacts);
      expect(a['js/wasm']).toMatchObject({
        status: 'ok',
        smoke: {
          ran: true,
          via: 'node (wasm_exec)',
          exitCode: 0,
          output: ['hello v3.1.4 (commit none, built unknown) js/wasm'],
        },
      });
      expect(a['wasip1/wasm']).toMatchObject({
        status: 'ok',
        smoke: {
          ran: true,
          via: 'node (WASI)',
          exitCode: 0,
          output: ['hello v3.1.4 (commit none, built unknown) wasip1/wasm'],
        },
      });
      // A failing exit status is a failed smoke test, under either runner.
      const failing = await build(tc, {
        targets: 'js/wasm wasip1/wasm',
        'working-directory': EXAMPLE_MODULE,
        'smoke-test': '-exit 3',
      });
      expect(failing.manifest.artifacts.map((x) => [x.target, x.status, x.smoke?.exitCode])).toEqual([
        ['js/wasm', 'smoke-failed', 3],
        ['wasip1/wasm', 'smoke-failed', 3],
      ]);
    });

    it('run every Linux arch under qemu-user and the host arches natively', async () => {
      const run = await build(tc, {
        targets: `linux/amd64 linux/386 ${QEMU_TARGETS} darwin/arm64`,
        'working-directory': EXAMPLE_MODULE,
        'smoke-test': '-version',
        version: 'v3.1.4',
        ldflags: '-X main.version={version}',
      });
      const a = byTarget(run.manifest.artifacts);
      for (const target of ['linux/amd64', 'linux/386', ...QEMU_TARGETS.split(' ')]) {
        const [goos, goarch] = target.split('/');
        const smoke = a[target]?.smoke;
        expect([target, a[target]?.status, smoke?.ran, smoke?.exitCode, smoke?.timedOut]).toEqual([
          target,
          'ok',
          true,
          0,
          false,
        ]);
        expect([target, smoke?.output]).toEqual([
          target,
          [`hello v3.1.4 (commit none, built unknown) ${goos}/${goarch}`],
        ]);
      }
      expect(a['linux/amd64']?.smoke?.via).toBe('native');
      expect(a['linux/386']?.smoke?.via).toBe('native');
      expect(a['linux/arm64']?.smoke?.via).toBe('qemu-aarch64-static');
      expect(a['linux/mips64le']?.smoke?.via).toBe('qemu-mips64el-static');
      expect(a['linux/loong64']?.smoke?.via).toBe('qemu-loongarch64-static');
      expect(a['darwin/arm64']).toMatchObject({
        status: 'ok',
        smoke: { ran: false, via: null, reason: 'darwin/arm64 binaries cannot run on linux/amd64' },
      });
    });

    it('runs linux/386 under qemu-i386 with async preemption off (qemu 7 crashes Go otherwise)', async () => {
      const run = await build(tc, { targets: 'linux/386', 'working-directory': EXAMPLE_MODULE });
      const binary = path.join('/', run.manifest.artifacts[0]?.path ?? '');
      // As on a host that cannot run 386 natively (e.g. an arm64 runner).
      const host = { goos: 'linux', goarch: 'arm64', goroot: '/nonexistent', node: process.execPath };
      const runner = chooseRunner('linux', '386', host, null, process.env);
      expect(runner).toEqual({
        via: 'qemu-i386-static',
        prefix: ['/usr/bin/qemu-i386-static'],
        env: { GODEBUG: 'asyncpreemptoff=1' },
      });
      for (let i = 0; i < 3; i++) {
        const smoke = await smokeTest({
          binary,
          goos: 'linux',
          goarch: '386',
          args: [],
          host,
          verify: null,
          env: process.env,
          timeoutMs: 60_000,
          isolateNetwork: false,
        });
        expect(smoke).toMatchObject({
          ran: true,
          via: 'qemu-i386-static',
          exitCode: 0,
          output: ['hello, world from linux/386'],
        });
      }
    });

    it('a binary that exits non-zero is smoke-failed, natively and under qemu', async () => {
      const run = await build(tc, {
        targets: 'linux/amd64 linux/arm64',
        'working-directory': EXAMPLE_MODULE,
        'smoke-test': '-exit 3',
      });
      for (const a of run.manifest.artifacts) {
        expect([a.target, a.status, a.smoke?.exitCode]).toEqual([a.target, 'smoke-failed', 3]);
        expect(a.error).toMatch(
          /^the smoke test \(-exit 3\) under (native|qemu-aarch64-static) exited with status 3: hello, world from linux\//,
        );
        expect(a.archive).toBeNull();
      }
      expect(run.log.lines.filter((l) => l.level === 'error')).toHaveLength(2);
    });

    it('a binary that hangs is stopped and smoke-failed', async () => {
      const run = await build(
        tc,
        { targets: 'linux/arm64', 'working-directory': EXAMPLE_MODULE, 'smoke-test': '-sleep 1h' },
        { GO_BUILD_MATRIX_SMOKE_TIMEOUT_MS: '3000' },
      );
      const [a] = run.manifest.artifacts;
      expect(a?.status).toBe('smoke-failed');
      expect(a?.smoke).toMatchObject({ ran: true, timedOut: true });
      expect(a?.error).toMatch(/did not finish within its time limit/);
    });

    it('runs a dynamic cgo binary under qemu with the cross sysroot', async () => {
      const run = await build(tc, {
        targets: 'linux/arm64',
        'working-directory': path.join(REPO_ROOT, '__tests__', 'fixtures', 'verify', 'cgo'),
        'cgo-enabled': '1',
        cc: 'linux/arm64=aarch64-linux-gnu-gcc',
        // The program reads no arguments; any will do to switch the smoke run on.
        'smoke-test': 'run',
      });
      const [a] = run.manifest.artifacts;
      expect(a?.verify).toMatchObject({ linkage: 'dynamic', interpreter: '/lib/ld-linux-aarch64.so.1' });
      expect(a?.smoke).toMatchObject({ ran: true, via: 'qemu-aarch64-static', exitCode: 0 });
      expect(a?.smoke?.output[0]).toMatch(/^hello from cgo linux\/arm64 pid \d+$/);
    });
  });
});
