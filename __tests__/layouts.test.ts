// Repositories as they are found in the wild rather than as the example module sits in this
// one: symlinked directories, spaces and non-ASCII letters in every path, no git at all, a
// detached HEAD and a shallow clone without tags. Each builds linux/amd64 for real with Go
// 1.23, in its own temporary directory, and the binary is verified, run and read back.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { ArtifactEntry } from '../src/report/manifest.js';
import type { EngineRun } from './support/engine.js';
import { build, copyModule, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const tc = toolchain('1.23');

/** As outside Actions: {version}, {commit} and {date} come from git or the fallbacks, not from the job's ref. */
const NO_CI_METADATA = { GITHUB_REF: '', GITHUB_SHA: '', SOURCE_DATE_EPOCH: '' };
const METADATA_LDFLAGS = '-s -w -X main.version={version} -X main.commit={commit} -X main.date={date}';
const IDENTITY = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

/** Runs git (never through a shell) with a fixed identity, dating any commit `date`; returns its trimmed stdout. */
async function git(cwd: string, args: readonly string[], date = '2024-01-01T00:00:00Z'): Promise<string> {
  const { stdout } = await execFileAsync('git', [...args], {
    cwd,
    env: { ...process.env, ...IDENTITY, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  });
  return stdout.trim();
}

/** The example module in a new repository at `dir`, one commit per entry (tagged when it names a tag); returns the hashes. */
async function repository(
  dir: string,
  commits: readonly { date: string; tag?: string }[],
): Promise<string[]> {
  copyModule(EXAMPLE_MODULE, dir);
  await git(dir, ['init', '-q']);
  const hashes: string[] = [];
  for (const [i, commit] of commits.entries()) {
    writeFileSync(path.join(dir, 'NOTES.md'), `change ${i + 1}\n`);
    await git(dir, ['add', '.']);
    await git(dir, ['commit', '-qm', `change ${i + 1}`], commit.date);
    if (commit.tag !== undefined) await git(dir, ['tag', commit.tag]);
    hashes.push(await git(dir, ['rev-parse', 'HEAD']));
  }
  return hashes;
}

/** Manifest paths are relative to the base directory, which is '/' in these runs. */
const inManifest = (file: string): string => path.relative('/', file);

/** The run's only artifact, which must be a built, verified linux/amd64 binary. */
function onlyArtifact(run: EngineRun): ArtifactEntry {
  expect(run.manifest.artifacts.map((a) => [a.target, a.status, a.error])).toEqual([
    ['linux/amd64', 'ok', null],
  ]);
  const [artifact] = run.manifest.artifacts as [ArtifactEntry];
  expect(artifact.verify).toMatchObject({
    ok: true,
    format: 'elf',
    machine: 'amd64',
    linkage: 'static',
    problems: [],
  });
  return artifact;
}

async function runBinary(artifact: ArtifactEntry, args: readonly string[] = []): Promise<string> {
  const { stdout } = await execFileAsync(path.join('/', artifact.path ?? ''), [...args]);
  return stdout;
}

describe('symlinks', () => {
  /** <root>/module holds go.mod and real/app (a main package), with cmd/app -> ../real/app; <root>/checkout -> module. */
  function symlinkedLayout(): { root: string; module: string; checkout: string } {
    const root = tempDir('symlinks');
    const module = path.join(root, 'module');
    const app = path.join(module, 'real', 'app');
    copyModule(EXAMPLE_MODULE, app);
    renameSync(path.join(app, 'go.mod'), path.join(module, 'go.mod'));
    mkdirSync(path.join(module, 'cmd'));
    symlinkSync(path.join('..', 'real', 'app'), path.join(module, 'cmd', 'app'));
    const checkout = path.join(root, 'checkout');
    symlinkSync('module', checkout);
    return { root, module, checkout };
  }

  it('build a main package whose directory is a symlink, from a working directory reached through one', async () => {
    const { module, checkout } = symlinkedLayout();
    const run = await build(
      tc,
      { targets: 'linux/amd64', 'working-directory': checkout, package: './cmd/app', 'output-dir': 'dist' },
      NO_CI_METADATA,
    );
    expect(run.outputDir).toBe(path.join(checkout, 'dist'));
    const artifact = onlyArtifact(run);
    expect(artifact).toMatchObject({
      name: 'app',
      package: './cmd/app',
      path: inManifest(path.join(checkout, 'dist', 'app-linux-amd64')),
      archive: inManifest(path.join(checkout, 'dist', 'app-linux-amd64.tar.gz')),
    });
    expect(artifact.verify?.buildinfo).toMatchObject({
      path: 'example.com/hello/cmd/app',
      module: 'example.com/hello',
    });
    // Inside output-dir, which is the module's own dist/ once the symlink is followed.
    expect(realpathSync(path.join('/', artifact.path ?? ''))).toBe(
      path.join(realpathSync(module), 'dist', 'app-linux-amd64'),
    );
    expect(run.manifestPath).toBe(path.join(checkout, 'dist', 'manifest.json'));
    expect(await runBinary(artifact)).toBe('hello, world from linux/amd64\n');
  });

  it("name package '.' after the module path when the working directory is reached through a symlink", async () => {
    const { root, checkout } = symlinkedLayout();
    const out = path.join(root, 'out');
    // The module root itself as the main package: the example's main.go, moved up next to go.mod.
    renameSync(path.join(checkout, 'real', 'app', 'main.go'), path.join(checkout, 'main.go'));
    const run = await build(
      tc,
      { targets: 'linux/amd64', 'working-directory': checkout, 'output-dir': out },
      NO_CI_METADATA,
    );
    const artifact = onlyArtifact(run);
    // `go build` in the module names the binary `hello` (example.com/hello), whichever path leads there.
    expect(artifact).toMatchObject({
      name: 'hello',
      package: '.',
      path: inManifest(path.join(out, 'hello-linux-amd64')),
    });
    expect(artifact.verify?.buildinfo).toMatchObject({
      path: 'example.com/hello',
      module: 'example.com/hello',
    });
    expect(await runBinary(artifact)).toBe('hello, world from linux/amd64\n');
  });
});

describe('spaces and non-ASCII letters', () => {
  it('in the working directory, output-dir, name-template and version', async () => {
    const root = tempDir('unicode');
    const dir = path.join(root, 'my repo', 'ünï cödé', 'hello');
    mkdirSync(dir, { recursive: true });
    copyModule(EXAMPLE_MODULE, dir);
    const out = path.join(root, 'out dir', 'Ωmega');
    const run = await build(
      tc,
      {
        targets: 'linux/amd64',
        'working-directory': dir,
        'output-dir': out,
        'name-template': '{name} ünï {version} {goos}-{goarch}{ext}',
        version: 'v1.0 ßeta',
        ldflags: '-s -w -X main.version={version}',
      },
      NO_CI_METADATA,
    );
    const file = 'hello ünï v1.0 ßeta linux-amd64';
    expect(run.outputDir).toBe(out);
    expect(run.manifest).toMatchObject({ module: 'example.com/hello', version: 'v1.0 ßeta' });
    const artifact = onlyArtifact(run);
    expect(artifact).toMatchObject({
      name: 'hello',
      package: '.',
      path: inManifest(path.join(out, file)),
      archive: inManifest(path.join(out, `${file}.tar.gz`)),
    });
    expect(await runBinary(artifact, ['-version'])).toBe(
      'hello v1.0 ßeta (commit none, built unknown) linux/amd64\n',
    );

    // The manifest on disk is the one returned, and checksums.txt names the files as `sha256sum -c` finds them.
    expect(run.manifestPath).toBe(path.join(out, 'manifest.json'));
    expect(JSON.parse(readFileSync(run.manifestPath, 'utf8'))).toEqual(run.manifest);
    expect(run.manifest.checksums).toBe(inManifest(path.join(out, 'checksums.txt')));
    expect(readFileSync(path.join(out, 'checksums.txt'), 'utf8')).toBe(
      `${artifact.sha256}  ${file}\n${artifact.archiveSha256}  ${file}.tar.gz\n`,
    );
    const checked = await execFileAsync('sha256sum', ['-c', 'checksums.txt'], { cwd: out });
    expect(checked.stdout).toBe(`${file}: OK\n${file}.tar.gz: OK\n`);
    const listed = await execFileAsync('tar', ['-tzf', path.join(out, `${file}.tar.gz`)]);
    expect(listed.stdout).toBe('hello\n');
  });
});

describe('source metadata from unusual checkouts', () => {
  it('without any git metadata: version dev, no commit, the build time', async () => {
    const dir = tempDir('nogit');
    copyModule(EXAMPLE_MODULE, dir);
    // Precondition: neither the copy nor any directory above it is a git work tree.
    await expect(git(dir, ['rev-parse', '--git-dir'])).rejects.toThrow(/not a git repository/);
    const before = Math.floor(Date.now() / 1000) * 1000;
    const run = await build(
      tc,
      {
        targets: 'linux/amd64',
        'working-directory': dir,
        'output-dir': tempDir('nogit-out'),
        ldflags: METADATA_LDFLAGS,
      },
      NO_CI_METADATA,
    );
    const after = Date.now();
    expect(run.manifest).toMatchObject({ version: 'dev', commit: '' });
    expect(run.manifest.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(run.manifest.date)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(run.manifest.date)).toBeLessThanOrEqual(after);
    const artifact = onlyArtifact(run);
    expect(
      Object.keys(artifact.verify?.buildinfo?.settings ?? {}).filter((k) => k.startsWith('vcs')),
    ).toEqual([]);
    expect(await runBinary(artifact, ['-version'])).toBe(
      `hello dev (commit , built ${run.manifest.date}) linux/amd64\n`,
    );
  });

  it('at a detached HEAD: the checked-out commit, its tag and its date', async () => {
    const dir = tempDir('detached');
    const [tagged, later] = await repository(dir, [
      { date: '2024-03-01T10:00:00Z', tag: 'v1.2.3' },
      { date: '2024-04-01T10:00:00Z', tag: 'v1.3.0' },
    ]);
    await git(dir, ['checkout', '-q', '--detach', 'HEAD~1']);
    // Preconditions: HEAD is detached, at the commit tagged v1.2.3, and a newer commit and tag exist.
    expect(await git(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe('HEAD');
    expect(await git(dir, ['rev-parse', 'HEAD'])).toBe(tagged);
    expect(await git(dir, ['rev-parse', 'v1.3.0'])).toBe(later);
    expect(later).not.toBe(tagged);

    const run = await build(
      tc,
      {
        targets: 'linux/amd64',
        'working-directory': dir,
        'output-dir': tempDir('detached-out'),
        ldflags: METADATA_LDFLAGS,
      },
      NO_CI_METADATA,
    );
    expect(run.manifest).toMatchObject({ version: 'v1.2.3', commit: tagged, date: '2024-03-01T10:00:00Z' });
    const artifact = onlyArtifact(run);
    // Go's own VCS stamp agrees on the commit.
    expect(artifact.verify?.buildinfo?.settings).toMatchObject({
      'vcs.revision': tagged,
      'vcs.modified': 'false',
    });
    expect(await runBinary(artifact, ['-version'])).toBe(
      `hello v1.2.3 (commit ${tagged}, built 2024-03-01T10:00:00Z) linux/amd64\n`,
    );
  });

  it("in a shallow clone without tags: git describe's short hash and the clone's HEAD", async () => {
    const origin = tempDir('origin');
    const hashes = await repository(origin, [
      { date: '2024-05-01T10:00:00Z', tag: 'v0.1.0' },
      { date: '2024-06-01T10:00:00Z', tag: 'v0.2.0' },
      { date: '2024-07-01T10:00:00Z', tag: 'v0.3.0' },
    ]);
    const clone = path.join(tempDir('shallow'), 'clone');
    await git(path.dirname(clone), [
      'clone',
      '-q',
      '--depth',
      '1',
      '--no-tags',
      pathToFileURL(origin).href,
      clone,
    ]);
    const head = await git(clone, ['rev-parse', 'HEAD']);
    const short = await git(clone, ['rev-parse', '--short', 'HEAD']);
    // Preconditions: a one-commit shallow clone of the origin's tagged HEAD, with no tag in it.
    expect(head).toBe(hashes[2]);
    expect(await git(clone, ['rev-parse', '--is-shallow-repository'])).toBe('true');
    expect(await git(clone, ['rev-list', '--count', 'HEAD'])).toBe('1');
    expect(await git(clone, ['tag', '--list'])).toBe('');
    expect(short).toBe(head.slice(0, short.length));
    expect(short).toMatch(/^[0-9a-f]{7,}$/);

    const run = await build(
      tc,
      {
        targets: 'linux/amd64',
        'working-directory': clone,
        'output-dir': tempDir('shallow-out'),
        ldflags: METADATA_LDFLAGS,
      },
      NO_CI_METADATA,
    );
    expect(run.manifest).toMatchObject({ version: short, commit: head, date: '2024-07-01T10:00:00Z' });
    const artifact = onlyArtifact(run);
    expect(artifact.verify?.buildinfo?.settings).toMatchObject({
      'vcs.revision': head,
      'vcs.modified': 'false',
    });
    expect(await runBinary(artifact, ['-version'])).toBe(
      `hello ${short} (commit ${head}, built 2024-07-01T10:00:00Z) linux/amd64\n`,
    );
  });
});
