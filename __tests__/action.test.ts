// The bundled action driven through the runner contract.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { copyModule, tempDir } from './support/engine.js';
import { runAction } from './support/runner.js';
import { EXAMPLE_MODULE, goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';

describe.each(['1.23', '1.26', '1.27'] as const)('Go %s', (release) => {
  const tc = toolchain(release);
  let workspace: string;

  beforeAll(() => {
    workspace = tempDir('workspace');
    copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
    cpSync(path.join(REPO_ROOT, '__tests__', 'fixtures', 'broken'), path.join(workspace, 'broken'), {
      recursive: true,
    });
  });

  describe('dist/index.js under the runner contract', () => {
    it('builds, sets every output and writes the summary', async () => {
      const r = await runAction(
        workspace,
        {
          targets: 'linux/amd64 linux/arm/7 windows/arm64',
          'working-directory': 'app',
          version: 'v1.0.0',
          'github-token': 'ghs_secret',
          badge: 'true',
        },
        goEnv(tc),
      );
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(Object.keys(r.outputs).sort()).toEqual([
        'artifact-prefix',
        'artifacts',
        'attestation-subjects',
        'built',
        'cache-hit',
        'failed',
        'manifest',
        'matrix',
        'release-url',
        'verified',
      ]);
      expect(r.outputs.manifest).toBe('app/dist/manifest.json');
      expect(r.outputs['release-url']).toBe('');
      expect(r.outputs['attestation-subjects']).toBe('app/dist/attestation-subjects.sha256');
      expect(
        readFileSync(path.join(workspace, r.outputs['attestation-subjects'] ?? ''), 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.split(/\s+/)[1])
          .sort(),
      ).toEqual(
        [
          // archive 'auto' packs each binary; sbom 'auto' makes none without a release.
          'checksums.txt',
          'hello-linux-amd64.tar.gz',
          'hello-linux-arm-v7.tar.gz',
          'hello-windows-arm64.zip',
          // the manifest as a release would carry it (manifest.json, written as release-manifest.json)
          'manifest.json',
        ].sort(),
      );
      expect(r.outputs.built).toBe('3');
      expect(r.outputs.failed).toBe('0');
      expect(r.outputs.verified).toBe('3');
      expect(r.outputs['cache-hit']).toBe('false');
      const artifacts = JSON.parse(r.outputs.artifacts ?? '') as {
        target: string;
        path: string;
        sha256: string;
        size: number;
        status: string;
      }[];
      expect(artifacts.map((a) => [a.target, a.path, a.status])).toEqual([
        ['linux/amd64', 'app/dist/hello-linux-amd64', 'ok'],
        ['linux/arm/7', 'app/dist/hello-linux-arm-v7', 'ok'],
        ['windows/arm64', 'app/dist/hello-windows-arm64.exe', 'ok'],
      ]);
      const manifest = JSON.parse(readFileSync(path.join(workspace, r.outputs.manifest ?? ''), 'utf8'));
      expect(manifest.artifacts.map((a: { sha256: string }) => a.sha256)).toEqual(
        artifacts.map((a) => a.sha256),
      );
      expect(JSON.parse(r.outputs.matrix ?? '')).toEqual({
        include: [
          { targets: 'linux/amd64', goos: 'linux', goarch: 'amd64', variant: '' },
          { targets: 'linux/arm/7', goos: 'linux', goarch: 'arm', variant: '7' },
          { targets: 'windows/arm64', goos: 'windows', goarch: 'arm64', variant: '' },
        ],
      });
      expect(r.summary).toContain(
        '| target | file | size | sha256 | time | verify | linkage | runs on | smoke | status |',
      );
      expect(r.summary).toMatch(
        /^\| `linux\/arm\/7` \| `hello-linux-arm-v7` \| [\d.]+ MiB \| `[0-9a-f]{12}` \| [\d.]+ s \| ✅ elf arm \| static \| – \| – \| ✅ ok \|$/m,
      );
      expect(r.summary).toContain('**3/3 built**, 0 failed.');
      expect(r.stdout).toContain('::group::✓ linux/amd64 (.)');
      expect(r.stdout).toContain('::add-mask::ghs_secret');
      const badge = JSON.parse(readFileSync(path.join(workspace, 'app', 'dist', 'badge.json'), 'utf8'));
      expect(badge).toEqual({ schemaVersion: 1, label: 'go build', message: '3/3 verified', color: 'green' });
      expect(readFileSync(path.join(workspace, 'app', 'dist', 'badge.svg'), 'utf8')).toMatch(
        /^<svg [^>]*>.*3\/3 verified.*<\/svg>$/s,
      );
      expect(r.stdout.replace('::add-mask::ghs_secret', '')).not.toContain('ghs_secret');
    });

    it('fails the step on an invalid target, naming the input and the nearest valid value', async () => {
      const r = await runAction(workspace, { targets: 'linux/amd46', 'working-directory': 'app' }, goEnv(tc));
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toMatch(
        new RegExp(
          `::error::Input 'targets': "linux/amd46" is not valid\\. 'linux/amd46' is not a target of go${release.replace('.', '\\.')}\\.\\d+; did you mean 'linux/amd64'\\?`,
        ),
      );
      expect(r.outputs).toEqual({});
    });

    it('fails the step after writing everything when a target fails, with a file/line annotation', async () => {
      const r = await runAction(
        workspace,
        { targets: 'windows/amd64 linux/amd64', 'working-directory': 'broken' },
        goEnv(tc),
      );
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toMatch(
        /::error title=go build,file=broken\/broken_windows\.go,line=3,col=32::cannot use 42/,
      );
      expect(r.stdout).toContain('::error::1 of 2 target(s) failed: windows/amd64 (build-failed)');
      expect(r.outputs.built).toBe('1');
      expect(r.outputs.failed).toBe('1');
      expect(r.summary).toMatch(
        /^\| `windows\/amd64` \(GOAMD64=v1\) \| – \| – \| – \| [\d.]+ s \| – \| – \| – \| – \| ❌ build failed — go build exited with status 1/m,
      );
    });

    it('plan mode sets the matrix in chunks and builds nothing', async () => {
      const r = await runAction(
        workspace,
        {
          mode: 'plan',
          targets: 'linux/amd64 linux/arm64 darwin/arm64',
          chunks: '2',
          'working-directory': 'app',
        },
        goEnv(tc),
      );
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.outputs.matrix ?? '')).toEqual({
        include: [
          { chunk: 1, targets: 'linux/amd64 linux/arm64' },
          { chunk: 2, targets: 'darwin/arm64' },
        ],
      });
      expect(Object.keys(r.outputs)).toEqual(['matrix', 'artifact-prefix']);
      expect(r.outputs['artifact-prefix']).toMatch(/^hello-[0-9a-f]{8}-$/);
    });

    it('rejects a bad value of any input with the input named', async () => {
      const r = await runAction(workspace, { 'working-directory': 'app', parallel: 'lots' }, goEnv(tc));
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain(
        `::error::Input 'parallel': "lots" is not valid. Use a whole number from 1 to 256.`,
      );
    });
  });
});
