// Packaging that can be trusted: byte-identical rebuilds, archives that keep the exec bit and a
// fixed date, checksums that `sha256sum -c` accepts, and a universal binary that Apple's
// format readers (file, llvm-objdump, llvm-lipo) take apart into the very thin builds.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Manifest } from '../src/report/manifest.js';
import { build, copyModule, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const tc = toolchain('1.23');
const COMMIT_DATE = '2024-05-06T07:08:09Z';

function llvmLipo(): string {
  const found = [
    '/usr/bin/llvm-lipo',
    ...readdirSync('/usr/lib')
      .filter((d) => d.startsWith('llvm-'))
      .map((d) => `/usr/lib/${d}/bin/llvm-lipo`),
  ].find(existsSync);
  if (!found) throw new Error('llvm-lipo is not installed (Debian package llvm)');
  return found;
}

/** A git repository holding the example module, LICENSE and README, committed at COMMIT_DATE. */
async function repository(): Promise<string> {
  const dir = tempDir('origin');
  copyModule(EXAMPLE_MODULE, dir);
  writeFileSync(path.join(dir, 'LICENSE'), 'MIT License\n');
  writeFileSync(path.join(dir, 'README.md'), '# hello\n');
  const env = {
    ...process.env,
    GIT_AUTHOR_DATE: COMMIT_DATE,
    GIT_COMMITTER_DATE: COMMIT_DATE,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.com',
  };
  for (const args of [
    ['init', '-q'],
    ['add', '.'],
    ['commit', '-qm', 'release'],
    ['tag', 'v1.4.0'],
  ]) {
    await execFileAsync('git', args, { cwd: dir, env });
  }
  return dir;
}

/** Dates every file and folder of a checkout (its .git aside) `time`. */
function stamp(dir: string, time: Date): void {
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    if (entry !== '.git' && !entry.startsWith(`.git${path.sep}`))
      utimesSync(path.join(dir, entry), time, time);
  }
  utimesSync(dir, time, time);
}

const INPUTS = {
  targets: 'linux/amd64 windows/amd64 darwin/amd64 darwin/arm64',
  universal: 'true',
  'extra-files': 'LICENSE\nREADME.md',
  ldflags: '-s -w -X main.version={version} -X main.commit={commit} -X main.date={date}',
};
const NO_CI_METADATA = { GITHUB_REF: '', GITHUB_SHA: '', SOURCE_DATE_EPOCH: '' };

describe('packaging', () => {
  let first: { manifest: Manifest; outputDir: string };
  let second: { manifest: Manifest; outputDir: string };

  beforeAll(async () => {
    const origin = await repository();
    const clones = [tempDir('clone-a'), tempDir('clone-b')];
    for (const clone of clones) await execFileAsync('git', ['clone', '-q', origin, clone]);
    // Two directories, two cold GOCACHEs, and files dated apart by far more than zip's 2 s
    // resolution (set, not waited for): no file time may reach an archive.
    stamp(clones[0] as string, new Date('2001-01-01T00:00:00Z'));
    stamp(clones[1] as string, new Date('2002-02-02T02:02:03Z'));
    first = await build(
      tc,
      { ...INPUTS, 'working-directory': clones[0] as string, 'output-dir': 'dist' },
      { ...NO_CI_METADATA, GOCACHE: tempDir('gocache-a') },
    );
    second = await build(
      tc,
      { ...INPUTS, 'working-directory': clones[1] as string, 'output-dir': 'dist' },
      { ...NO_CI_METADATA, GOCACHE: tempDir('gocache-b') },
    );
  });

  it('rebuilds the same commit byte for byte: binaries, archives, checksums', () => {
    const files = readdirSync(first.outputDir)
      .filter((f) => f !== 'manifest.json')
      .sort();
    expect(files).toEqual([
      // dist/ lies inside the clone: its .gitignore keeps the binaries from stamping later targets +dirty.
      '.gitignore',
      'checksums.txt',
      'hello-darwin-amd64',
      'hello-darwin-amd64.tar.gz',
      'hello-darwin-arm64',
      'hello-darwin-arm64.tar.gz',
      'hello-darwin-universal',
      'hello-darwin-universal.tar.gz',
      'hello-linux-amd64',
      'hello-linux-amd64.tar.gz',
      'hello-windows-amd64.exe',
      'hello-windows-amd64.zip',
    ]);
    expect(
      readdirSync(second.outputDir)
        .filter((f) => f !== 'manifest.json')
        .sort(),
    ).toEqual(files);
    for (const file of files) {
      const same = readFileSync(path.join(first.outputDir, file)).equals(
        readFileSync(path.join(second.outputDir, file)),
      );
      expect([file, same]).toEqual([file, true]);
    }
    expect(first.manifest.version).toBe('v1.4.0');
    expect(first.manifest.date).toBe(COMMIT_DATE);
  });

  it('writes checksums that sha256sum -c accepts, matching the manifest', async () => {
    const { stdout } = await execFileAsync('sha256sum', ['-c', 'checksums.txt'], { cwd: first.outputDir });
    expect(stdout.trim().split('\n')).toHaveLength(10);
    expect(stdout).not.toMatch(/FAILED/);
    const sums = readFileSync(path.join(first.outputDir, 'checksums.txt'), 'utf8');
    for (const a of first.manifest.artifacts) {
      expect(sums).toContain(`${a.sha256}  ${path.basename(a.path ?? '')}\n`);
      expect(sums).toContain(`${a.archiveSha256}  ${path.basename(a.archive ?? '')}\n`);
    }
  });

  it('tar.gz keeps mode 0755, owner 0/0 and the commit date', async () => {
    const { stdout } = await execFileAsync('tar', ['-tvzf', 'hello-linux-amd64.tar.gz'], {
      cwd: first.outputDir,
      env: { ...process.env, TZ: 'UTC' },
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^-rwxr-xr-x 0\/0 +\d+ 2024-05-06 07:08 hello$/),
      expect.stringMatching(/^-rw-r--r-- 0\/0 +12 2024-05-06 07:08 LICENSE$/),
      expect.stringMatching(/^-rw-r--r-- 0\/0 +8 2024-05-06 07:08 README\.md$/),
    ]);
  });

  it('zip keeps mode 0755 and the commit date', async () => {
    const { stdout } = await execFileAsync('unzip', ['-Z', 'hello-windows-amd64.zip'], {
      cwd: first.outputDir,
    });
    expect(stdout).toMatch(/^-rwxr-xr-x .* unx +\d+ .* 24-May-06 07:08 hello\.exe$/m);
    expect(stdout).toMatch(/^-rw-r--r-- .* unx +12 .* 24-May-06 07:08 LICENSE$/m);
  });

  it('the universal binary holds exactly the two thin builds, aligned, and verifies', async () => {
    const fat = path.join(first.outputDir, 'hello-darwin-universal');
    const { stdout: described } = await execFileAsync('file', ['-b', fat]);
    expect(described).toMatch(/^Mach-O universal binary with 2 architectures: \[x86_64.*\] \[.*arm64/s);
    const { stdout: headers } = await execFileAsync('llvm-objdump', ['--macho', '--universal-headers', fat]);
    expect(headers).toContain('nfat_arch 2');
    const offsets = [...headers.matchAll(/offset (\d+)\n\s+size (\d+)\n\s+align 2\^(\d+)/g)].map((m) => [
      Number(m[1]),
      Number(m[3]),
    ]);
    expect(offsets).toHaveLength(2);
    for (const [offset, align] of offsets) expect((offset as number) % 2 ** (align as number)).toBe(0);
    const lipo = llvmLipo();
    const { stdout: info } = await execFileAsync(lipo, ['-info', fat]);
    expect(info).toMatch(/are: x86_64 arm64/);
    const out = tempDir('thin');
    for (const [arch, thin] of [
      ['x86_64', 'hello-darwin-amd64'],
      ['arm64', 'hello-darwin-arm64'],
    ] as const) {
      await execFileAsync(lipo, [fat, '-thin', arch, '-output', path.join(out, arch)]);
      const same = readFileSync(path.join(out, arch)).equals(readFileSync(path.join(first.outputDir, thin)));
      expect([arch, same]).toEqual([arch, true]);
    }
    const universal = first.manifest.artifacts.find((a) => a.target === 'darwin/universal');
    expect(universal?.status).toBe('ok');
    expect(universal?.verify?.slices?.map((s) => [s.machine, s.ok])).toEqual([
      ['amd64', true],
      ['arm64', true],
    ]);
  });
});

describe('names', () => {
  it('show the variant whenever the matrix builds more than one of a GOOS/GOARCH', async () => {
    const run = await build(tc, {
      targets: 'linux/amd64 linux/amd64/v3 linux/386',
      'working-directory': EXAMPLE_MODULE,
      archive: 'none',
      checksums: 'none',
    });
    expect(run.manifest.artifacts.map((a) => path.basename(a.path ?? ''))).toEqual([
      'hello-linux-amd64-v1',
      'hello-linux-amd64-v3',
      'hello-linux-386',
    ]);
    expect(run.manifest.artifacts.map((a) => a.archive)).toEqual([null, null, null]);
    expect(run.manifest.checksums).toBeNull();
    expect(existsSync(path.join(run.outputDir, 'checksums.txt'))).toBe(false);
  });

  it('an extra-files line that matches nothing stops the run before building', async () => {
    await expect(
      build(tc, { targets: 'linux/amd64', 'working-directory': EXAMPLE_MODULE, 'extra-files': 'LICENSE' }),
    ).rejects.toThrow(
      `Input 'extra-files': "LICENSE" is not valid. It matches no file under ${EXAMPLE_MODULE}.`,
    );
  });

  it('universal without both darwin targets is a warning', async () => {
    const run = await build(tc, {
      targets: 'darwin/arm64',
      'working-directory': EXAMPLE_MODULE,
      universal: 'true',
    });
    expect(run.manifest.artifacts.map((a) => a.target)).toEqual(['darwin/arm64']);
    expect(run.log.lines).toContainEqual({
      level: 'warning',
      message: expect.stringMatching(
        /^universal: no universal binary for \.: it needs darwin\/amd64 and darwin\/arm64/,
      ),
    });
  });
});
