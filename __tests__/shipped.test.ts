// What a build ships, checked the way a user checks a download: every release file copied into
// one flat folder (a release has no folders), then `sha256sum -c checksums.txt` there. Real
// builds of examples/hello; collect with real build legs uploading to the results-service
// emulation. And: nothing outside output-dir is checksummed, released or attested.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { collectResults } from '../src/collect/index.js';
import { MemoryLogger } from '../src/log.js';
import { writeChecksums } from '../src/package/checksums.js';
import { releaseFiles } from '../src/release/assets.js';
import { entry, manifest } from './report/fixtures.js';
import { build, copyModule, tempDir } from './support/engine.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import { EXAMPLE_MODULE, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const tc = toolchain('1.26');

let service: ResultsService;
beforeAll(async () => {
  service = await startResultsService();
});
afterAll(async () => {
  await service.close();
});

function hello(): string {
  const dir = tempDir('hello');
  copyModule(EXAMPLE_MODULE, dir);
  return dir;
}

/** Every file below dir, relative to it. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Copies the given files of dir into one new flat folder, as a browser or `gh release download` leaves them. */
function download(dir: string, files: readonly string[]): string {
  const flat = tempDir('download');
  for (const f of files) {
    const dest = path.join(flat, path.basename(f));
    expect([f, existsSync(dest)]).toEqual([f, false]);
    copyFileSync(path.join(dir, f), dest);
  }
  return flat;
}

/** The OK lines of `sha256sum -c` (it exits non-zero on any bad or missing line). */
async function checked(dir: string, ignoreMissing = false): Promise<string[]> {
  const args = [...(ignoreMissing ? ['--ignore-missing'] : []), '-c', 'checksums.txt'];
  const { stdout } = await execFileAsync('sha256sum', args, { cwd: dir });
  const lines = stdout.trim().split('\n');
  for (const line of lines) expect(line).toMatch(/: OK$/);
  return lines;
}

const SHIPPED = ['linux/amd64', 'linux/arm64', 'windows/amd64'];

describe('checksums.txt names every file as its download does', () => {
  it('a folder per target and a version holding "/": every line checks in one flat folder', async () => {
    const run = await build(tc, {
      targets: SHIPPED.join(' '),
      'working-directory': hello(),
      'name-template': '{goos}_{goarch}/{name}-{version}-{goos}-{goarch}{ext}',
      version: 'release/2026-12',
      archive: 'none',
      sbom: 'cyclonedx',
      cache: 'false',
    });
    expect(run.manifest.artifacts.map((a) => a.status)).toEqual(['ok', 'ok', 'ok']);
    const files = filesBelow(run.outputDir).filter((f) => f !== 'manifest.json');
    // Each binary two folders deep (the target's and the version's), with its SBOM beside it.
    expect(files).toContain(path.join('linux_amd64', 'hello-release', '2026-12-linux-amd64'));
    expect(files).toContain(
      path.join('windows_amd64', 'hello-release', '2026-12-windows-amd64.exe.cdx.json'),
    );
    expect(files.length).toBe(3 * 2 + 1);
    const lines = await checked(download(run.outputDir, files));
    expect(lines.length).toBe(files.length - 1);
  });

  it('with archives: the downloads all check, only the binaries inside the archives are missing', async () => {
    const run = await build(tc, {
      targets: SHIPPED.join(' '),
      'working-directory': hello(),
      'name-template': '{goos}_{goarch}/{name}-{goos}-{goarch}{ext}',
      sbom: 'cyclonedx',
      cache: 'false',
    });
    const released = filesBelow(run.outputDir).filter((f) =>
      /\.(tar\.gz|zip|cdx\.json)$|^checksums\.txt$/.test(f),
    );
    expect(released.length).toBe(3 * 2 + 1);
    const flat = download(run.outputDir, released);
    expect((await checked(flat, true)).length).toBe(released.length - 1);
    const listed = readFileSync(path.join(flat, 'checksums.txt'), 'utf8').trim().split('\n');
    expect(listed.map((l) => l.slice(66)).filter((name) => !existsSync(path.join(flat, name)))).toEqual([
      'hello-linux-amd64',
      'hello-linux-arm64',
      'hello-windows-amd64.exe',
    ]);
  });

  it('two files of one base name fail before checksums.txt is written, naming both and name-template', async () => {
    const out = tempDir('same-name');
    await expect(
      build(tc, {
        targets: 'linux/amd64 linux/arm64',
        'working-directory': hello(),
        'output-dir': out,
        'name-template': '{goos}_{goarch}/{name}',
        cache: 'false',
      }),
    ).rejects.toThrow(
      `Two files of this build would both be called "hello" in checksums.txt (${path.join(out, 'linux_amd64', 'hello')} and ${path.join(out, 'linux_arm64', 'hello')}), which names files without their folders; give them distinct file names with 'name-template'.`,
    );
    expect(existsSync(path.join(out, 'checksums.txt'))).toBe(false);
  });
});

/** Builds `targets` as one leg of `run` would, uploading per target to the results service. */
async function leg(run: string, job: string, targets: string, nameTemplate: string) {
  const result = await build(
    tc,
    {
      targets,
      'working-directory': hello(),
      'name-template': nameTemplate,
      sbom: 'cyclonedx',
      cache: 'false',
    },
    service.envFor(run, job),
  );
  expect([job, result.uploadError]).toEqual([job, null]);
  return result;
}

async function collect(run: string, requested: readonly string[]) {
  const workspace = tempDir('collect');
  const dist = path.join(workspace, 'dist');
  const env = { ...service.envFor(run, 'collect'), GITHUB_WORKSPACE: workspace };
  const result = await collectResults({
    outputDir: dist,
    env,
    log: new MemoryLogger(),
    requested,
    prefix: '',
  });
  return { ...result, workspace, dist };
}

describe('collect: the merged checksums.txt names files as their downloads do', () => {
  it('two real build legs with a folder per target: every collected file checks in one flat folder', async () => {
    const template = '{goos}_{goarch}/{name}-{goos}-{goarch}{ext}';
    await leg('run-flat', 'leg-1', 'linux/amd64 linux/arm64', template);
    await leg('run-flat', 'leg-2', 'windows/amd64', template);
    const r = await collect('run-flat', SHIPPED);
    expect([r.missing, r.failed]).toEqual([[], []]);
    const files = filesBelow(r.dist).filter((f) => f !== 'manifest.json');
    // The legs' layout, kept: archives and SBOMs in their target's folder.
    expect(files).toContain(path.join('windows_amd64', 'hello-windows-amd64.zip'));
    expect(files.length).toBe(3 * 2 + 1);
    const lines = await checked(download(r.dist, files));
    expect(lines.length).toBe(files.length - 1);
  });

  it('two legs whose files share a base name fail before checksums.txt is written, naming both', async () => {
    await leg('run-same-name', 'leg-1', 'linux/amd64', '{goos}_{goarch}/{name}');
    await leg('run-same-name', 'leg-2', 'linux/arm64', '{goos}_{goarch}/{name}');
    const workspace = tempDir('collect');
    const dist = path.join(workspace, 'dist');
    const env = { ...service.envFor('run-same-name', 'collect'), GITHUB_WORKSPACE: workspace };
    const requested = ['linux/amd64', 'linux/arm64'];
    const error = await collectResults({
      outputDir: dist,
      env,
      log: new MemoryLogger(),
      requested,
      prefix: '',
    }).then(
      () => null,
      (err: Error) => err,
    );
    // The legs arrive in no promised order: either the archives or the SBOMs meet first.
    expect(error?.message).toMatch(
      /^Two files of this build would both be called "hello\.(tar\.gz|cdx\.json)" in checksums\.txt and the release \(.*\), which names files without their folders; give them distinct file names with 'name-template'\.$/,
    );
    expect(error?.message).toContain(path.join(dist, 'linux_amd64', 'hello.'));
    expect(error?.message).toContain(path.join(dist, 'linux_arm64', 'hello.'));
    expect(existsSync(path.join(dist, 'checksums.txt'))).toBe(false);
  });
});

describe('only files inside output-dir are checksummed, released or attested', () => {
  /** output-dir with one real file, and a fake token outside it. */
  function outputDirBesideToken(): { out: string; token: string } {
    const root = tempDir('inside');
    const out = path.join(root, 'dist');
    mkdirSync(out);
    writeFileSync(path.join(out, 'app-linux-amd64'), 'a binary\n');
    const token = path.join(root, 'credentials');
    writeFileSync(token, 'ghs_faketoken0123456789\n');
    return { out, token };
  }

  it('releaseFiles refuses a manifest path outside output-dir, by ../, absolute, or a symlink out', async () => {
    const { out, token } = outputDirBesideToken();
    symlinkSync(token, path.join(out, 'app-linux-amd64.tar.gz'));
    const ok = entry('linux/amd64', { path: 'dist/app-linux-amd64', archive: null, sboms: [] });
    const root = path.dirname(out);
    // [the entry's change, the directory its paths are relative to, the file it names]
    const cases: [Partial<typeof ok>, string, string][] = [
      [{ archive: '../credentials' }, out, token],
      [{ sboms: [token] }, root, token],
      [{ archive: 'dist/app-linux-amd64.tar.gz' }, root, path.join(out, 'app-linux-amd64.tar.gz')],
    ];
    for (const [change, base, file] of cases) {
      const m = manifest([{ ...ok, ...change }], { checksums: null });
      const where = file === token ? 'it is' : `it resolves to ${token}, which is`;
      await expect(releaseFiles(m, base, out)).rejects.toThrow(
        `Refusing to release ${file}: ${where} outside output-dir ${out}; only files inside output-dir (symlinks followed) are shipped.`,
      );
    }
    // The same manifest without the outside file releases, with the release's manifest.json.
    const files = await releaseFiles(manifest([ok], { checksums: null }), root, out);
    expect(files.map((f) => f.name)).toEqual(['app-linux-amd64', 'manifest.json']);
    expect(files.at(-1)?.file).toBe(path.join(out, 'release-manifest.json'));
  });

  it('writeChecksums refuses a file that resolves outside output-dir', async () => {
    const { out, token } = outputDirBesideToken();
    const link = path.join(out, 'app-linux-amd64.cdx.json');
    symlinkSync(token, link);
    await expect(writeChecksums(out, [{ path: link, sha256: '0'.repeat(64) }])).rejects.toThrow(
      `Refusing to list in checksums.txt ${link}: it resolves to ${token}, which is outside output-dir ${out}`,
    );
    expect(existsSync(path.join(out, 'checksums.txt'))).toBe(false);
  });
});
