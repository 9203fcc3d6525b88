// What Go 1.24+ stamps about the source (the main module version from the VCS, vcs.* settings)
// against what the manifest says: agreement is silent, every difference is a note saying why.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Release } from './support/toolchains.js';
import { build, copyModule, tempDir } from './support/engine.js';
import { EXAMPLE_MODULE, toolchain } from './support/toolchains.js';

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
      GIT_AUTHOR_DATE: '2026-11-30T12:00:00Z',
      GIT_COMMITTER_DATE: '2026-11-30T12:00:00Z',
    },
  }).trim();

/** A git checkout of the example module with v1.2.3 tagged on its only commit. */
function taggedCheckout(): string {
  const dir = tempDir('stamp');
  copyModule(EXAMPLE_MODULE, dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'first');
  git(dir, 'tag', 'v1.2.3');
  return dir;
}

async function stampOf(release: Release, dir: string, extraEnv: Record<string, string> = {}) {
  // VCS stamping on (the go env file of a machine may turn it off).
  const run = await build(
    toolchain(release),
    { targets: 'linux/amd64', 'working-directory': dir },
    { GOFLAGS: '-buildvcs=auto', ...extraEnv },
  );
  const [a] = run.manifest.artifacts;
  return {
    status: a?.status,
    version: run.manifest.version,
    stamped: a?.verify?.buildinfo?.moduleVersion,
    vcs: Object.keys(a?.verify?.buildinfo?.settings ?? {}).filter((k) => k.startsWith('vcs')),
    notes: (a?.verify?.notes ?? []).filter((n) => /stamped|build info (names|has no vcs)/.test(n)),
  };
}

describe.each(['1.26', '1.27'] as const)('Go %s stamps the version from git', (release) => {
  it('agrees with the manifest on a tagged commit: no note', async () => {
    const dir = taggedCheckout();
    expect(await stampOf(release, dir)).toEqual({
      status: 'ok',
      version: 'v1.2.3',
      stamped: 'v1.2.3',
      vcs: ['vcs', 'vcs.revision', 'vcs.time', 'vcs.modified'],
      notes: [],
    });
  });

  it('explains a pseudo-version after the tag, and +dirty', async () => {
    const dir = taggedCheckout();
    writeFileSync(path.join(dir, 'NOTES'), 'x\n');
    git(dir, 'add', 'NOTES');
    git(dir, 'commit', '-qm', 'second');
    const head = git(dir, 'rev-parse', 'HEAD').slice(0, 12);
    const clean = await stampOf(release, dir);
    expect(clean.stamped).toBe(`v1.2.4-0.20261130120000-${head}`);
    expect(clean.version).toMatch(/^v1\.2\.3-1-g[0-9a-f]+$/);
    expect(clean.notes).toEqual([
      `Go stamped the main module version v1.2.4-0.20261130120000-${head} from the VCS: a pseudo-version, because no semver tag is on the built commit (a shallow checkout fetches no tags: actions/checkout with fetch-depth: 0), while the manifest and {version} say ${clean.version}; set 'version' to v1.2.4-0.20261130120000-${head} (or build a tagged commit) to make them agree`,
    ]);
    writeFileSync(path.join(dir, 'NOTES'), 'changed\n');
    const dirty = await stampOf(release, dir);
    expect(dirty.stamped).toBe(`v1.2.4-0.20261130120000-${head}+dirty`);
    expect(dirty.notes[0]).toContain('and +dirty marks uncommitted changes in the checkout');
  });

  it('fails once, before any build, when a second VCS directory holds the module; with the GODEBUG, notes why vcs.* are missing', async () => {
    const dir = taggedCheckout();
    const module = path.join(dir, 'sub');
    copyModule(EXAMPLE_MODULE, module);
    mkdirSync(path.join(module, '.hg'));
    const version = execFileSync(toolchain(release).go, ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
    const vcsDirs = `${path.join(module, '.hg')}, ${path.join(dir, '.git')}`;
    await expect(stampOf(release, module)).rejects.toThrow(
      `Input 'working-directory': "${module}" is not valid. More than one version control directory holds the module (${vcsDirs}), and ${version} then refuses to stamp VCS information ("multiple VCS detected"), so no target would build`,
    );
    const r = await stampOf(release, module, { GODEBUG: 'allowmultiplevcs=1' });
    expect([r.status, r.vcs]).toEqual(['ok', []]);
    expect(r.notes).toEqual([
      `build info has no vcs.* settings: more than one version control directory holds the module (${vcsDirs}), and Go then records none (before Go 1.23.11 and 1.24.5, or with GODEBUG=allowmultiplevcs=1); keep one of them to get the revision recorded`,
      expect.stringMatching(
        /^the binary's build info names the main module version \(devel\) because Go read no VCS information, while the manifest and \{version\} say v1\.2\.3/,
      ),
    ]);
  });

  it('says why the version is (devel) with -buildvcs=false', async () => {
    const r = await stampOf(release, taggedCheckout(), { GOFLAGS: '-buildvcs=false' });
    expect(r.notes).toEqual([
      "the binary's build info names the main module version (devel) because -buildvcs=false is set, while the manifest and {version} say v1.2.3",
    ]);
  });
});

describe('Go before 1.24', () => {
  it('stamps (devel), which is not a disagreement worth a note', async () => {
    const r = await stampOf('1.23', taggedCheckout());
    expect([r.stamped, r.notes]).toEqual(['(devel)', []]);
  });

  it('builds a module held by two VCS directories (Go 1.23.5 predates the refusal), noting the missing vcs.*', async () => {
    const dir = taggedCheckout();
    const module = path.join(dir, 'sub');
    copyModule(EXAMPLE_MODULE, module);
    mkdirSync(path.join(module, '.hg'));
    const r = await stampOf('1.23', module);
    expect([r.status, r.vcs, r.notes]).toEqual([
      'ok',
      [],
      [expect.stringMatching(/^build info has no vcs\.\* settings: more than one/)],
    ]);
  });
});

describe('an output-dir inside the checkout', () => {
  const stamps = (run: Awaited<ReturnType<typeof build>>) =>
    run.manifest.artifacts.map((a) => [
      a.target,
      a.verify?.buildinfo?.moduleVersion,
      a.verify?.buildinfo?.settings['vcs.modified'],
    ]);
  const inputs = (dir: string, outputDir: string) => ({
    targets: 'linux/amd64 linux/arm64 windows/amd64',
    parallel: '1',
    'working-directory': dir,
    'output-dir': outputDir,
  });
  const clean = [
    ['linux/amd64', 'v1.2.3', 'false'],
    ['linux/arm64', 'v1.2.3', 'false'],
    ['windows/amd64', 'v1.2.3', 'false'],
  ];

  it('does not make the targets built after the first one +dirty, in this run or the next', async () => {
    const dir = taggedCheckout();
    const out = path.join(dir, 'dist');
    // One at a time: each later target builds while the earlier ones' files lie in dist/.
    const first = await build(toolchain('1.26'), inputs(dir, out), { GOFLAGS: '-buildvcs=auto' });
    expect(stamps(first)).toEqual(clean);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    const again = await build(toolchain('1.26'), inputs(dir, out), { GOFLAGS: '-buildvcs=auto' });
    expect(stamps(again)).toEqual(clean);
  });

  it('writes no .gitignore where it would hide sources or tracked files', async () => {
    const dir = taggedCheckout();
    // output-dir '.': the module itself.
    await build(
      toolchain('1.26'),
      { ...inputs(dir, dir), targets: 'linux/amd64' },
      { GOFLAGS: '-buildvcs=auto' },
    );
    expect(readdirSync(dir)).not.toContain('.gitignore');
    // A committed dist/ stays as the user keeps it, with a note saying what it costs.
    const kept = taggedCheckout();
    mkdirSync(path.join(kept, 'dist'));
    writeFileSync(path.join(kept, 'dist', 'README'), 'release notes live here\n');
    git(kept, 'add', 'dist/README');
    git(kept, 'commit', '-qm', 'dist');
    const run = await build(
      toolchain('1.26'),
      { ...inputs(kept, path.join(kept, 'dist')), targets: 'linux/amd64' },
      {
        GOFLAGS: '-buildvcs=auto',
      },
    );
    expect(readdirSync(path.join(kept, 'dist'))).not.toContain('.gitignore');
    expect(run.log.lines.filter((l) => l.message.includes('holds files git tracks'))).toHaveLength(1);
  });
});
