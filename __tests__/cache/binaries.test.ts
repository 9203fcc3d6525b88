// Binaries reused when nothing Go reads changed (cache/delta.ts, cache/fingerprint.ts): the
// fingerprint's rules on a hand-made module, then the real engine through the local results
// service and GitHub stand-in: a re-run and a docs-only commit take the saved binaries and build
// nothing; a source edit, a new commit Go stamps, or cgo build again, and save a small delta on top
// of the GOCACHE entry they restored; the older delta is deleted when a newer one is saved.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FingerprintInputs } from '../../src/cache/fingerprint.js';
import { embedPatterns, inputsFingerprint, localReplacements } from '../../src/cache/fingerprint.js';
import { GitHubStandIn } from '../support/github-api.js';
import { build, copyModule } from '../support/engine.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { EXAMPLE_MODULE, toolchain } from '../support/toolchains.js';
import { tempDir } from './helpers.js';

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

describe('the inputs fingerprint', () => {
  const root = tempDir('fingerprint');
  const mod = path.join(root, 'mod');
  const lib = path.join(root, 'lib');
  write(mod, 'go.mod', 'module example.com/m\n\ngo 1.22\n\nreplace example.com/lib => ../lib\n');
  write(
    mod,
    'main.go',
    'package main\n\nimport _ "embed"\n\n//go:embed "static/index.html" all:templates\nvar page string\n\nfunc main() {}\n',
  );
  write(mod, 'static/index.html', '<p>hi</p>');
  write(mod, 'static/other.html', 'not embedded');
  write(mod, 'templates/a.tmpl', 'a');
  write(mod, 'README.md', '# m');
  write(mod, 'internal/x/x.go', 'package x\n');
  write(mod, 'internal/x/x_test.md', 'notes');
  write(mod, 'tool/go.mod', 'module example.com/tool\n');
  write(mod, 'tool/main.go', 'package main\n');
  write(mod, 'dist/m-linux-amd64.go', 'an output, whatever its name');
  write(lib, 'go.mod', 'module example.com/lib\n');
  write(lib, 'lib.go', 'package lib\n');
  const inputs: FingerprintInputs = {
    goVersion: 'go1.26.8',
    compileInputs: ['linux/amd64 GOAMD64=v1', 'trimpath=true'],
    argvs: [['go', 'build', '-o', '/out/m']],
    goEnv: { GOFLAGS: '' },
    vcs: null,
    sourceDirs: [mod, ...localReplacements(readFileSync(path.join(mod, 'go.mod'), 'utf8'), mod)],
    outputDir: path.join(mod, 'dist'),
  };
  const changes: [string, () => void, 'same' | 'differs'][] = [
    ['a README edit', () => write(mod, 'README.md', '# m, better'), 'same'],
    ['a file beside a package that is no source', () => write(mod, 'internal/x/x_test.md', 'more'), 'same'],
    ['a file not matched by //go:embed', () => write(mod, 'static/other.html', 'changed'), 'same'],
    ['a nested module', () => write(mod, 'tool/main.go', 'package main // edited\n'), 'same'],
    ['output-dir', () => write(mod, 'dist/m-linux-amd64.go', 'rebuilt'), 'same'],
    ['a .go edit', () => write(mod, 'internal/x/x.go', 'package x // edited\n'), 'differs'],
    ['a new .go file', () => write(mod, 'internal/x/y_windows.go', 'package x\n'), 'differs'],
    ['an embedded file', () => write(mod, 'static/index.html', '<p>hello</p>'), 'differs'],
    ['a file in an embedded directory', () => write(mod, 'templates/.hidden', 'all: takes it'), 'differs'],
    ['a local replacement', () => write(lib, 'lib.go', 'package lib // edited\n'), 'differs'],
    ['go.sum', () => write(mod, 'go.sum', 'example.com/x v1.0.0 h1:abc=\n'), 'differs'],
  ];
  it.each(changes)('%s: the fingerprint %s', async (_what, change, expected) => {
    const before = await inputsFingerprint(inputs);
    change();
    const after = await inputsFingerprint(inputs);
    expect(after === before ? 'same' : 'differs').toBe(expected);
  });
  it.each<[string, Partial<FingerprintInputs>]>([
    ['another Go', { goVersion: 'go1.27.3' }],
    ['another link flag', { argvs: [['go', 'build', '-ldflags=-s', '-o', '/out/m']] }],
    ['another GOEXPERIMENT', { goEnv: { GOFLAGS: '', GOEXPERIMENT: 'greenteagc' } }],
    ['another commit Go stamps', { vcs: 'abc123 2026-12-08T00:00:00Z\n' }],
    ['another target set', { compileInputs: ['linux/arm64 GOARM64=v8.0', 'trimpath=true'] }],
  ])('%s: the fingerprint differs', async (_what, change) => {
    expect(await inputsFingerprint({ ...inputs, ...change })).not.toBe(await inputsFingerprint(inputs));
  });
  it('a workspace file outside the module directories', async () => {
    const work = path.join(root, 'go.work.sum');
    const withWork = { ...inputs, files: [path.join(root, 'go.work'), work] };
    const before = await inputsFingerprint(withWork);
    write(root, 'go.work.sum', 'example.com/other v1.0.0/go.mod h1:x=\n');
    expect(await inputsFingerprint(withWork)).not.toBe(before);
  });
  it('a glob pattern takes everything under its literal part', async () => {
    write(mod, 'assets.go', 'package main\n\n//go:embed *.md\nvar docs string\n');
    const before = await inputsFingerprint(inputs);
    write(mod, 'README.md', '# read by *.md now');
    expect(await inputsFingerprint(inputs)).not.toBe(before);
    rmSync(path.join(mod, 'assets.go'));
  });
  it('reads //go:embed lines as Go does', () => {
    expect(embedPatterns('//go:embed a.txt "b c.txt" `d.txt` all:e\nvar x string\n// go:embed no\n')).toEqual(
      ['a.txt', 'b c.txt', 'd.txt', 'e'],
    );
    expect(
      localReplacements('replace (\n\ta => ./a\n\tb v1.0.0 => c v1.2.0\n\td => /abs/d\n)\n', '/m'),
    ).toEqual(['/m/a', '/abs/d']);
  });
});

const tc = toolchain('1.26');
let service: ResultsService;
let api: GitHubStandIn;
beforeAll(async () => {
  service = await startResultsService();
  api = new GitHubStandIn({
    caches: { entries: () => service.cacheEntries(), remove: (id) => service.removeCacheEntry(id) },
  });
  await api.start();
});
afterAll(async () => {
  await api.stop();
  await service.close();
});

describe('binaries of the same inputs, through the cache service', () => {
  const git = (dir: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: dir,
      env: {
        ...process.env,
        GIT_COMMITTER_DATE: '2026-12-01T00:00:00Z',
        GIT_AUTHOR_DATE: '2026-12-01T00:00:00Z',
      },
    });

  // One GOCACHE for every run (a restore adds only what it lacks): the standard library is compiled once.
  const gocache = tempDir('binaries-gocache');
  const runnerTemp = tempDir('binaries-runner-temp');
  /** A run on a fresh runner (its own GOMODCACHE and RUNNER_TEMP), as run `runId` of the workflow. */
  async function runOn(dir: string, runId: number, extra: Record<string, string> = {}) {
    const runner = tempDir('binaries-runner');
    // In the checkout, at the same path every run, as on a hosted runner.
    const out = path.join(dir, 'dist');
    const result = await build(
      tc,
      {
        targets: 'linux/amd64 windows/arm64',
        'working-directory': dir,
        'output-dir': out,
        cache: 'true',
        'github-token': api.token,
        upload: 'false',
        ...extra,
      },
      {
        ...service.envFor(`run-${runId}`, 'build'),
        GITHUB_RUN_ID: String(runId),
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_REPOSITORY: `${api.owner}/${api.repo}`,
        GITHUB_API_URL: api.url,
        // The same path every run, as on a hosted runner: a delta's version hashes its path.
        RUNNER_TEMP: runnerTemp,
        RUNNER_OS: 'Linux',
        RUNNER_ARCH: 'X64',
        GOMODCACHE: path.join(runner, 'gomodcache'),
        GOCACHE: gocache,
      },
    );
    const files = result.manifest.artifacts.map((a) => [a.target, a.status, a.sha256]);
    return { result, files, runner };
  }
  const entriesOf = (prefix: string, kind: string) =>
    service.cacheEntries().filter((e) => e.finalized && new RegExp(`^${prefix}-${kind}-Linux`).test(e.key));

  it('a re-run takes them; a docs-only commit too unless Go stamps the commit; edits build again', async () => {
    const dir = tempDir('binaries-module');
    copyModule(EXAMPLE_MODULE, dir);
    write(dir, 'README.md', '# hello');
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'one');
    const prefix = 'reuse';
    const inputs = { 'cache-key-prefix': prefix, ldflags: '-s -w -X main.version={version}' };

    const first = await runOn(dir, 1, inputs);
    expect(first.result.manifest.cache).toMatchObject({ use: 'restore-and-save' });
    expect(first.result.manifest.cache?.reused).toBeUndefined();
    // GOCACHE, and on top of it a delta holding the binaries.
    const savedNames = (r: typeof first) =>
      r.result.manifest.cache?.saved?.map((s) => s.name).filter((n) => n !== 'GOMODCACHE');
    expect(savedNames(first)).toEqual(['GOCACHE', 'delta']);
    expect([entriesOf(prefix, 'gocache'), entriesOf(prefix, 'gocache-delta')].map((e) => e.length)).toEqual([
      1, 1,
    ]);

    // A re-run of the same commit: nothing restored from GOCACHE, nothing built or saved.
    const rerun = await runOn(dir, 2, inputs);
    expect(rerun.files).toEqual(first.files);
    expect(rerun.result.manifest.cache).toMatchObject({ hit: 'true', reused: 2, savedBytes: 0 });
    expect(rerun.result.manifest.artifacts.every((a) => a.verify?.ok === true)).toBe(true);
    expect(rerun.result.log.lines.some((l) => /GOCACHE: restored/.test(l.message))).toBe(false);
    expect(rerun.result.log.lines.some((l) => /Binaries: nothing Go reads changed/.test(l.message))).toBe(
      true,
    );

    // A docs-only commit: Go stamps the new revision into the binaries, so they are built again,
    // and the old entry of binaries is deleted for the new one.
    write(dir, 'README.md', '# hello, docs');
    git(dir, 'commit', '-qam', 'docs');
    const docs = await runOn(dir, 3, inputs);
    expect(docs.result.manifest.cache?.reused).toBeUndefined();
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    const linux = docs.result.manifest.artifacts.find((a) => a.target === 'linux/amd64');
    const stamped = execFileSync(
      tc.go,
      ['version', '-m', path.join(dir, 'dist', path.basename(linux?.path ?? ''))],
      {
        encoding: 'utf8',
      },
    );
    expect(stamped).toContain(`vcs.revision=${head}`);
    // Relinked only: a new delta (its binaries) replaces the old one; GOCACHE is not saved again.
    expect(savedNames(docs)).toEqual(['delta']);
    expect([entriesOf(prefix, 'gocache'), entriesOf(prefix, 'gocache-delta')].map((e) => e.length)).toEqual([
      1, 1,
    ]);

    // Without VCS stamping (and no {version} or {commit} in ldflags) a docs-only commit changes
    // nothing Go reads.
    const unstamped = { 'cache-key-prefix': prefix, flags: '-buildvcs=false' };
    const base = await runOn(dir, 4, unstamped);
    expect(base.result.manifest.cache?.reused).toBeUndefined();
    write(dir, 'README.md', '# hello, more docs');
    git(dir, 'commit', '-qam', 'more docs');
    const docsOnly = await runOn(dir, 5, unstamped);
    expect(docsOnly.result.manifest.cache?.reused).toBe(2);
    expect(docsOnly.files).toEqual(base.files);

    // A source edit builds again, from the restored GOCACHE, and saves new binaries.
    const main = path.join(dir, 'main.go');
    writeFileSync(main, readFileSync(main, 'utf8').replace('hello, world', 'hello, edited world'));
    git(dir, 'commit', '-qam', 'edit');
    const edited = await runOn(dir, 6, unstamped);
    expect(edited.result.manifest.cache?.reused).toBeUndefined();
    expect(edited.result.manifest.cache?.compiled).toBeGreaterThan(0);
    // What the edit compiled goes in a small delta on top of the entry it restored, not a new copy of GOCACHE.
    expect(savedNames(edited)).toEqual(['delta']);
    expect(edited.result.manifest.cache?.savedBytes).toBeLessThan(
      (base.result.manifest.cache?.savedBytes ?? 0) / 4,
    );
    expect(edited.files).not.toEqual(base.files);
    const again = await runOn(dir, 7, unstamped);
    expect(again.result.manifest.cache?.reused).toBe(2);
    expect(again.files).toEqual(edited.files);

    // cgo: the C toolchain is an input the fingerprint cannot see, so every run builds.
    const cgo = { ...unstamped, targets: 'linux/amd64', 'cgo-enabled': '1' };
    await runOn(dir, 8, cgo);
    const cgoAgain = await runOn(dir, 9, cgo);
    expect(cgoAgain.result.manifest.cache?.reused).toBeUndefined();
  });
});
