// output-dir after a run holds what this run vouches for: stale files of an earlier run are
// removed (only those its manifest listed), and a failed target's file lies apart in failed/.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryLogger } from '../src/log.js';
import { handOff } from '../src/release/step.js';
import type { EngineRun } from './support/engine.js';
import { build, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, toolchain } from './support/toolchains.js';

const tc = toolchain('1.26');

/** Every file under dir, relative, sorted. */
function filesIn(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .sort();
}

/** The files the run's manifest names, relative to output-dir, with manifest.json and checksums.txt. */
function listed(run: EngineRun): string[] {
  const files = run.manifest.artifacts.flatMap((a) => [a.path, a.archive, ...(a.sboms ?? [])]);
  return [...files, run.manifest.checksums]
    .filter((f): f is string => f !== null)
    .map((f) => path.relative(run.outputDir, path.resolve('/', f)))
    .concat('manifest.json')
    .sort();
}

function checksummedNames(out: string): string[] {
  return readFileSync(path.join(out, 'checksums.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/)[1] ?? '');
}

describe('output-dir', () => {
  it('a run with one target after a run with two: the first run’s other files are gone, user files stay and are named', async () => {
    const out = tempDir('out');
    writeFileSync(path.join(out, 'NOTES.txt'), 'mine');
    const inputs = { 'working-directory': EXAMPLE_MODULE, 'output-dir': out, sbom: 'cyclonedx' };
    const first = await build(tc, { ...inputs, targets: 'linux/amd64 windows/amd64' });
    expect(filesIn(out)).toEqual([...listed(first), 'NOTES.txt'].sort());
    expect(filesIn(out).filter((f) => f.includes('windows'))).toHaveLength(3);
    // The step after every build writes the attestation subjects and the release's manifest.
    const handed = { outputDir: out, release: 'false', verifyRelease: true } as const;
    await handOff({
      manifest: first.manifest,
      options: { ...handed, releaseNotes: 'auto', prerelease: 'auto', makeLatest: 'true', githubToken: '' },
      baseDir: '/',
      env: {},
      log: new MemoryLogger(),
      missing: [],
    });
    const own = ['attestation-subjects.sha256', 'release-manifest.json'];
    expect(filesIn(out)).toEqual([...listed(first), 'NOTES.txt', ...own].sort());

    const second = await build(tc, { ...inputs, targets: 'linux/amd64' });
    expect(second.manifest.artifacts.map((a) => a.target)).toEqual(['linux/amd64']);
    // The tool's own files are not named as someone else's.
    expect(filesIn(out)).toEqual([...listed(second), 'NOTES.txt', ...own].sort());
    expect(filesIn(out).filter((f) => f.includes('windows'))).toEqual([]);
    const messages = second.log.lines.map((l) => `${l.level}: ${l.message}`);
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^info: Removed 3 file\(s\) an earlier run wrote and this one did not: hello-windows-amd64\.exe hello-windows-amd64\.zip hello-windows-amd64\.exe\.cdx\.json$/,
      ),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^warning: output-dir .* also holds 1 entry this run did not write, .*: NOTES\.txt/,
      ),
    );
  });

  it('a file the earlier manifest lists but someone replaced since is not removed, and is named', async () => {
    const out = tempDir('out');
    const inputs = { 'working-directory': EXAMPLE_MODULE, 'output-dir': out };
    await build(tc, { ...inputs, targets: 'linux/amd64 windows/amd64' });
    writeFileSync(path.join(out, 'hello-windows-amd64.zip'), 'my own zip');
    const second = await build(tc, { ...inputs, targets: 'linux/amd64' });
    expect(filesIn(out)).toEqual([...listed(second), 'hello-windows-amd64.zip'].sort());
    expect(readFileSync(path.join(out, 'hello-windows-amd64.zip'), 'utf8')).toBe('my own zip');
    const messages = second.log.lines.map((l) => `${l.level}: ${l.message}`);
    expect(messages).toContainEqual(
      'info: Removed 1 file(s) an earlier run wrote and this one did not: hello-windows-amd64.exe',
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^warning: .* left in place: hello-windows-amd64\.zip\./),
    );
  });

  it.each([
    ['verify-failed', { linkage: 'dynamic' }],
    ['smoke-failed', { 'smoke-test': '-exit 3' }],
  ])(
    'a %s target leaves nothing under the good name: its file is in failed/, not executable, not checksummed',
    async (status, extra) => {
      const out = tempDir('out');
      const inputs = { 'working-directory': EXAMPLE_MODULE, 'output-dir': out, targets: 'linux/amd64' };
      // A good run first: its binary and archive must not survive as this run's.
      await build(tc, inputs);
      expect(filesIn(out)).toContain('hello-linux-amd64.tar.gz');
      const run = await build(tc, { ...inputs, ...extra });
      const [a] = run.manifest.artifacts;
      expect(a?.status).toBe(status);
      expect(a?.path).toBe(path.relative('/', path.join(out, 'failed', 'hello-linux-amd64')));
      expect(a?.archive).toBeNull();
      expect(existsSync(path.join(out, 'hello-linux-amd64'))).toBe(false);
      expect(filesIn(out)).toEqual([
        'checksums.txt',
        path.join('failed', 'hello-linux-amd64'),
        'manifest.json',
      ]);
      expect(statSync(path.join(out, 'failed', 'hello-linux-amd64')).mode & 0o111).toBe(0);
      expect(readFileSync(path.join(out, 'checksums.txt'), 'utf8')).toBe('');
      expect(checksummedNames(out)).not.toContain('hello-linux-amd64');

      // The next good run takes failed/ away with the rest of the earlier run's files.
      const good = await build(tc, inputs);
      expect(good.manifest.artifacts[0]?.status).toBe('ok');
      expect(filesIn(out)).toEqual([
        'checksums.txt',
        'hello-linux-amd64',
        'hello-linux-amd64.tar.gz',
        'manifest.json',
      ]);
      expect(existsSync(path.join(out, 'failed'))).toBe(false);
    },
  );
});
