// The github-token never leaks. The real dist/index.js runs through the runner contract with a
// fresh fake token that every one of its users needs (the commit status, the release, cache-cleanup:
// the API stand-in answers no other token), and every place a value can end up in is searched for
// it: the log (but for the one `::add-mask::` line core.setSecret writes), GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, what is left in RUNNER_TEMP, every file in the workspace with its archives
// unpacked, the uploaded artifacts, the release assets, the saved cache entries and every request the
// local results service received. Also when the API answers 401 echoing the token back, and for the
// real dist/cli.js, which takes the token from GITHUB_TOKEN, else GH_TOKEN, and from no flag.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { writeArchive } from '../src/package/archive.js';
import { copyModule, tempDir } from './support/engine.js';
import { GitHubStandIn } from './support/github-api.js';
import type { ResultsService } from './support/results-service.js';
import { startResultsService } from './support/results-service.js';
import type { RunnerResult } from './support/runner.js';
import { parseFileCommands, runAction } from './support/runner.js';
import { EXAMPLE_MODULE, goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const tc = toolchain('1.23');
const SHA = 'a'.repeat(40);
const MAX_BUFFER = 1024 * 1024 * 1024;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A token shaped like an installation token, new for every test run. */
function fakeToken(): string {
  return `ghs_${Array.from({ length: 36 }, () => ALNUM[randomInt(ALNUM.length)]).join('')}`;
}

// ---------------------------------------------------------------------------------------------
// Searching bytes for the token, archives included.

interface Scan {
  readonly needle: Buffer;
  /** Every place looked at, archive members as `archive → member`. */
  readonly scanned: string[];
  /** `place @offset: …context…` for each place that holds the token. */
  readonly hits: string[];
}

function newScan(token: string): Scan {
  return { needle: Buffer.from(token, 'utf8'), scanned: [], hits: [] };
}

const printable = (bytes: Buffer): string => bytes.toString('latin1').replace(/[^\x20-\x7e]/g, '.');

const startsWith = (data: Buffer, magic: readonly number[]): boolean =>
  data.length >= magic.length && magic.every((b, i) => data[i] === b);
const isGzip = (data: Buffer) => startsWith(data, [0x1f, 0x8b]);
const isZstd = (data: Buffer) => startsWith(data, [0x28, 0xb5, 0x2f, 0xfd]);
const isZip = (data: Buffer) => startsWith(data, [0x50, 0x4b, 0x03, 0x04]);
const isTar = (data: Buffer) => data.length >= 512 && data.toString('latin1', 257, 262) === 'ustar';

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? field.length : end);
}

/** Size field of a tar header: octal text, or base-256 when the first byte has its high bit set. */
function tarSize(field: Buffer): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let n = (field[0] ?? 0) & 0x7f;
    for (const b of field.subarray(1)) n = n * 256 + b;
    return n;
  }
  return parseInt(cString(field, 0, field.length).trim() || '0', 8);
}

/** The regular files of a tar (ustar, pax or GNU headers), with the names pax headers give them. */
function tarMembers(data: Buffer): { name: string; data: Buffer }[] {
  const members: { name: string; data: Buffer }[] = [];
  let offset = 0;
  let paxPath: string | null = null;
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = tarSize(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    const body = data.subarray(offset + 512, offset + 512 + size);
    const prefix = cString(header, 345, 155);
    const name = paxPath ?? (prefix ? `${prefix}/` : '') + cString(header, 0, 100);
    if (type === 'x') {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? null;
    } else if (type !== 'g') {
      if (type === '0' || type === '\0' || type === '7') members.push({ name, data: body });
      paxPath = null;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}

async function zstdDecompress(data: Buffer): Promise<Buffer> {
  const dir = tempDir('secrets-zstd');
  const input = path.join(dir, 'in.zst');
  const output = path.join(dir, 'out');
  writeFileSync(input, data);
  // --long=30 admits the long window @actions/cache compresses with.
  await execFileAsync('zstd', ['-d', '-q', '-f', '--long=30', '-o', output, input]);
  return readFileSync(output);
}

async function zipMembers(data: Buffer): Promise<{ name: string; data: Buffer }[]> {
  const file = path.join(tempDir('secrets-zip'), 'archive.zip');
  writeFileSync(file, data);
  const { stdout: listing } = await execFileAsync('unzip', ['-Z1', file]);
  const names = listing.split('\n').filter((n) => n !== '' && !n.endsWith('/'));
  const members: { name: string; data: Buffer }[] = [];
  for (const name of names) {
    const { stdout } = await execFileAsync('unzip', ['-p', file, name], {
      encoding: 'buffer',
      maxBuffer: MAX_BUFFER,
    });
    members.push({ name, data: stdout });
  }
  return members;
}

/** Looks for the token in `data`, then in whatever `data` unpacks to (gzip, zstd, zip, tar). */
async function scanBytes(scan: Scan, where: string, data: Buffer, depth = 0): Promise<void> {
  scan.scanned.push(where);
  const at = data.indexOf(scan.needle);
  if (at >= 0) {
    const context = data.subarray(Math.max(0, at - 60), at + scan.needle.length + 60);
    scan.hits.push(`${where} @${at}: …${printable(context)}…`);
  }
  if (depth > 5) return;
  if (isGzip(data)) await scanBytes(scan, `${where} (gunzip)`, gunzipSync(data), depth + 1);
  else if (isZstd(data)) await scanBytes(scan, `${where} (zstd -d)`, await zstdDecompress(data), depth + 1);
  else if (isZip(data)) {
    for (const m of await zipMembers(data)) await scanBytes(scan, `${where} → ${m.name}`, m.data, depth + 1);
  } else if (isTar(data)) {
    for (const m of tarMembers(data)) await scanBytes(scan, `${where} → ${m.name}`, m.data, depth + 1);
  }
}

const scanText = (scan: Scan, where: string, text: string) =>
  scanBytes(scan, where, Buffer.from(text, 'utf8'));

/** Every regular file under `root`, as `label/relative/path`. */
async function scanTree(scan: Scan, label: string, root: string): Promise<void> {
  for (const relative of (readdirSync(root, { recursive: true }) as string[]).sort()) {
    const file = path.join(root, relative);
    if (lstatSync(file).isFile()) await scanBytes(scan, `${label}/${relative}`, readFileSync(file));
  }
}

/** The log with the one line core.setSecret writes taken out; that line must be there exactly once. */
function withoutMaskLine(stdout: string, token: string): string {
  const mask = `::add-mask::${token}`;
  const lines = stdout.split('\n');
  expect(lines.filter((l) => l === mask)).toHaveLength(1);
  return lines.filter((l) => l !== mask).join('\n');
}

// ---------------------------------------------------------------------------------------------
// The runner's own files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP) of one runAction call.

const RUNNER_PREFIX = 'gbm-runner-';

function runnerDirs(): Set<string> {
  return new Set(
    readdirSync(os.tmpdir())
      .filter((n) => n.startsWith(RUNNER_PREFIX))
      .map((n) => path.join(os.tmpdir(), n)),
  );
}

/**
 * runAction keeps its files in a new `gbm-runner-*` directory and returns them parsed; this finds
 * that directory (among any other test file's) by its contents, so the raw bytes can be searched.
 */
function runnerFilesOf(before: Set<string>, r: RunnerResult): string {
  const found = [...runnerDirs()].filter((dir) => {
    if (before.has(dir)) return false;
    const output = path.join(dir, 'set_output');
    const summary = path.join(dir, 'step_summary');
    if (!existsSync(output) || !existsSync(summary)) return false;
    return (
      readFileSync(summary, 'utf8') === r.summary &&
      isDeepStrictEqual(parseFileCommands(readFileSync(output, 'utf8')), r.outputs)
    );
  });
  expect(found).toHaveLength(1);
  return found[0] as string;
}

// ---------------------------------------------------------------------------------------------
// A stand-in for the REST API's POST /repos/{owner}/{repo}/statuses/{sha}.

interface StatusCall {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

let api: http.Server;
let apiUrl = '';
const statusCalls: StatusCall[] = [];
let apiAnswer: { status: number; body: unknown } = { status: 201, body: {} };

let service: ResultsService;

beforeAll(async () => {
  api = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      statusCalls.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown,
      });
      res.writeHead(apiAnswer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(apiAnswer.body));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  service = await startResultsService({ runId: 'run-secrets', jobId: 'job-1' });
});

afterAll(async () => {
  await service.close();
  await new Promise<void>((resolve) => {
    api.close(() => resolve());
    api.closeAllConnections();
  });
});

/**
 * The job env: this toolchain, the status API stand-in and what `extra` adds. goEnv passes on
 * nothing of the runner the suite itself may run in (its GITHUB_*, ACTIONS_*, GH_TOKEN).
 */
function jobEnv(extra: Record<string, string>): Record<string, string> {
  return goEnv(tc, {
    GITHUB_API_URL: apiUrl,
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SHA: SHA,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_PATH: '',
    ...extra,
  });
}

const TAG = 'v1.0.0';
const TAG_REF = `refs/tags/${TAG}`;

/**
 * The REST API for every user of the token: commit statuses, the release of TAG and the Actions
 * cache list (of the entries the results service holds). It answers 401 to any other token.
 */
async function githubFor(token: string): Promise<GitHubStandIn> {
  const github = new GitHubStandIn({
    owner: 'octo',
    repo: 'app',
    token,
    caches: { entries: () => service.cacheEntries(), remove: (id) => service.removeCacheEntry(id) },
  });
  github.tags.set(TAG, { message: 'app 1.0.0' });
  await github.start();
  return github;
}

/** Which users of the token had a request answered (the stand-in answers only the right token). */
function tokenUsers(github: GitHubStandIn): Record<string, boolean> {
  const answered = (method: string, route: RegExp) =>
    github.requests.some((q) => q.method === method && route.test(q.path) && q.status < 300);
  return {
    status: answered('POST', /^\/repos\/octo\/app\/statuses\/a{40}$/),
    release: answered('POST', /^\/repos\/octo\/app\/releases$/),
    'release assets': answered('POST', /^\/uploads\/repos\/octo\/app\/releases\/\d+\/assets$/),
    'cache-cleanup': answered('GET', /^\/repos\/octo\/app\/actions\/caches$/),
  };
}

const EVERY_USER = { status: true, release: true, 'release assets': true, 'cache-cleanup': true };

/** The release assets as the stand-in stored them, and every request the results service received. */
async function scanServices(scan: Scan, github: GitHubStandIn): Promise<void> {
  for (const a of github.release(TAG)?.assets ?? [])
    await scanBytes(scan, `release asset ${a.name}`, a.bytes);
  for (const [i, q] of service.requests.entries()) {
    await scanText(scan, `results service request ${i}`, JSON.stringify([q.path, q.headers, q.body]));
  }
}

function workspaceWithHello(prefix: string): string {
  const workspace = tempDir(prefix);
  copyModule(EXAMPLE_MODULE, path.join(workspace, 'app'));
  return workspace;
}

// ---------------------------------------------------------------------------------------------

describe('the leak search itself', () => {
  it('finds a planted token inside tar.gz, zip and zstd-compressed tar members', async () => {
    const token = fakeToken();
    const dir = tempDir('secrets-self');
    const entries = [
      { name: 'plain.txt', source: Buffer.from('nothing here\n'), mode: 0o644 },
      { name: 'deep/secret.txt', source: Buffer.from(`x=${token}\n`.repeat(50)), mode: 0o644 },
    ];
    const mtime = new Date('2024-05-06T07:08:09Z');
    await writeArchive('tar.gz', path.join(dir, 'a.tar.gz'), entries, mtime);
    await writeArchive('zip', path.join(dir, 'a.zip'), entries, mtime);
    writeFileSync(path.join(dir, 'a.tar'), gunzipSync(readFileSync(path.join(dir, 'a.tar.gz'))));
    await execFileAsync('zstd', ['-q', '-f', '-o', path.join(dir, 'a.tar.zst'), path.join(dir, 'a.tar')]);
    const scan = newScan(token);
    for (const name of ['a.tar.gz', 'a.zip', 'a.tar.zst']) {
      const data = readFileSync(path.join(dir, name));
      // Deflated: the token is not in the raw bytes, only the unpacking finds it. (zstd may keep
      // short literals raw, so its raw bytes can hold the token.)
      if (name !== 'a.tar.zst') expect(data.includes(scan.needle)).toBe(false);
      await scanBytes(scan, name, data);
    }
    const places = scan.hits.map((h) => h.replace(/ @.*/s, ''));
    expect(places).toEqual(
      expect.arrayContaining([
        'a.tar.gz (gunzip) → deep/secret.txt',
        'a.zip → deep/secret.txt',
        'a.tar.zst (zstd -d) → deep/secret.txt',
      ]),
    );
    expect(places.filter((p) => p.includes('plain.txt'))).toEqual([]);
    expect(scan.scanned).toContain('a.zip → plain.txt');
  });
});

describe('the github-token in the action', () => {
  it('is used for the commit status, the release and cache-cleanup, and appears nowhere else: log, outputs, summary, files, artifacts, release, cache', async () => {
    const token = fakeToken();
    const github = await githubFor(token);
    try {
      const workspace = workspaceWithHello('secrets-action');
      // A runner of its own: cache: always ages and prunes GOCACHE, which must not touch the suite's.
      const goDirs = tempDir('secrets-go');
      const GOCACHE = path.join(goDirs, 'gocache');
      const GOMODCACHE = path.join(goDirs, 'gomodcache');
      mkdirSync(GOCACHE);
      const before = runnerDirs();
      const r = await runAction(
        workspace,
        {
          targets: 'linux/amd64 windows/amd64',
          'working-directory': 'app',
          version: 'v1.0.0',
          'github-token': token,
          status: 'true',
          release: 'true',
          badge: 'true',
          summary: 'true',
          upload: 'per-target',
          // A tag run saves only with 'always'; cache-cleanup (auto) then lists what the save supersedes.
          cache: 'always',
          'cache-cleanup': 'auto',
          archive: 'auto',
          checksums: 'sha256',
        },
        jobEnv({
          ...service.envFor('run-secrets', 'job-1', TAG_REF),
          GITHUB_REF: TAG_REF,
          GITHUB_API_URL: github.url,
          GO_BUILD_MATRIX_API_RETRY_MS: '5',
          GOCACHE,
          GOMODCACHE,
          // Debug lines are part of the log a runner keeps: search them too.
          RUNNER_DEBUG: '1',
          GO_BUILD_MATRIX_CACHE_TIMEOUT_MS: '120000',
          GO_BUILD_MATRIX_UPLOAD_RETRY_MS: '200',
        }),
      );
      expect(r.exitCode).toBe(0);
      expect(r.outputs.built).toBe('2');
      expect(r.outputs.verified).toBe('2');

      // The token was really used, by each of its users, and was never refused.
      expect(tokenUsers(github)).toEqual(EVERY_USER);
      expect(github.requests.filter((q) => q.status === 401 || q.status === 403)).toEqual([]);
      expect(github.statuses).toEqual([
        {
          sha: SHA,
          fields: {
            state: 'success',
            context: 'go-build-matrix',
            description: '2/2 targets verified',
            target_url: 'https://github.com/octo/app/actions/runs/4242',
          },
        },
      ]);
      expect(r.outputs['release-url']).toBe(`https://github.com/octo/app/releases/tag/${TAG}`);
      expect(r.stdout).toContain(
        `Commit status go-build-matrix set on ${SHA.slice(0, 12)}: 2/2 targets verified`,
      );
      expect(r.stdout).toMatch(/Uploaded artifact hello-linux-amd64 /);
      expect(r.stdout).toMatch(/Uploaded artifact hello-windows-amd64 /);
      expect(r.stdout).toMatch(/GOCACHE: saved /);
      expect(r.stdout).toContain('::debug::');

      const scan = newScan(token);
      await scanText(scan, 'stdout', withoutMaskLine(r.stdout, token));
      await scanText(scan, 'stderr', r.stderr);
      // GITHUB_OUTPUT and GITHUB_STEP_SUMMARY byte for byte, and whatever was left in RUNNER_TEMP.
      await scanTree(scan, 'runner', runnerFilesOf(before, r));
      // The workspace: output-dir with its binaries, archives, checksums, manifest and badge.
      await scanTree(scan, 'workspace', workspace);

      const artifacts = service.artifacts().filter((a) => a.finalized);
      expect(artifacts.map((a) => a.name).sort()).toEqual([`hello-linux-amd64`, `hello-windows-amd64`]);
      for (const a of artifacts) {
        const blob = service.blob(`http://127.0.0.1${a.blobPath}`);
        expect(blob?.length).toBeGreaterThan(0);
        await scanBytes(scan, `artifact ${a.name}`, blob as Buffer);
      }
      const entries = service.cacheEntries().filter((e) => e.finalized);
      expect(entries.map((e) => e.key)).toContainEqual(expect.stringMatching(/^go-build-matrix-gocache-/));
      for (const e of entries) {
        const blob = service.blob(`http://127.0.0.1${e.blobPath}`);
        expect(blob?.length).toBeGreaterThan(0);
        await scanBytes(scan, `cache ${e.key}`, blob as Buffer);
      }

      // The search reached everything it should have, archives unpacked.
      const dist = 'workspace/app/dist';
      expect(scan.scanned).toEqual(
        expect.arrayContaining([
          'runner/set_output',
          'runner/step_summary',
          `${dist}/hello-linux-amd64`,
          `${dist}/hello-windows-amd64.exe`,
          `${dist}/hello-linux-amd64.tar.gz (gunzip) → hello`,
          `${dist}/hello-windows-amd64.zip → hello.exe`,
          `${dist}/checksums.txt`,
          `${dist}/manifest.json`,
          `${dist}/badge.svg`,
          `${dist}/badge.json`,
          `artifact hello-linux-amd64 → hello-linux-amd64.tar.gz (gunzip) → hello`,
          `artifact hello-linux-amd64 → manifest.json`,
          `artifact hello-windows-amd64 → hello-windows-amd64.zip → hello.exe`,
          `artifact hello-windows-amd64 → checksums.txt`,
        ]),
      );
      const cacheMembers = scan.scanned.filter((s) => /^cache .* \((zstd -d|gunzip)\) → /.test(s));
      expect(cacheMembers.length).toBeGreaterThan(100);
      await scanServices(scan, github);
      expect(scan.scanned).toEqual(
        expect.arrayContaining([
          'release asset checksums.txt',
          'release asset hello-linux-amd64.tar.gz (gunzip) → hello',
          'results service request 0',
        ]),
      );

      expect(scan.hits).toEqual([]);
    } finally {
      await github.stop();
    }
  });

  it('stays out of the warning when the status API answers 401 and echoes the token back', async () => {
    const token = fakeToken();
    statusCalls.length = 0;
    apiAnswer = {
      status: 401,
      body: {
        message: `Bad credentials: ${token}`,
        errors: [{ resource: 'Status', code: 'invalid', message: `token ${token} is not valid` }],
        documentation_url: `https://docs.github.com/rest?token=${token}`,
      },
    };
    const workspace = workspaceWithHello('secrets-401');
    const before = runnerDirs();
    const r = await runAction(
      workspace,
      {
        targets: 'linux/amd64',
        'working-directory': 'app',
        version: 'v1.0.0',
        'github-token': token,
        status: 'true',
        summary: 'true',
        upload: 'false',
        cache: 'false',
      },
      jobEnv({ RUNNER_DEBUG: '1' }),
    );
    expect(r.exitCode).toBe(0);
    // The size stage asks for the previous release (size-baseline: auto), the status step sets the status.
    expect(statusCalls.map((c) => [c.method, c.url, c.authorization])).toEqual([
      ['GET', '/repos/octo/app/releases?per_page=100', `token ${token}`],
      ['POST', `/repos/octo/app/statuses/${SHA}`, `token ${token}`],
    ]);
    const warnings = r.stdout.split('\n').filter((l) => l.startsWith('::warning'));
    expect(warnings).toEqual([
      expect.stringMatching(/^::warning::Size: not compared, /),
      expect.stringMatching(/^::warning::The commit status could not be set on a{12}: Bad credentials/),
    ]);

    const scan = newScan(token);
    await scanText(scan, 'warning', warnings.join('\n'));
    await scanText(scan, 'stdout', withoutMaskLine(r.stdout, token));
    await scanText(scan, 'stderr', r.stderr);
    await scanTree(scan, 'runner', runnerFilesOf(before, r));
    await scanTree(scan, 'workspace', workspace);
    expect(scan.hits).toEqual([]);
  });
});

describe('the CLI and the token in its environment', () => {
  interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
  }

  function cli(args: string[], env: Record<string, string>): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args],
        { env, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = (error as { code?: unknown } | null)?.code;
          resolve({ code: error ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
        },
      );
    });
  }

  // src/cli/main.ts takes the token only from GITHUB_TOKEN, else GH_TOKEN (for --release, --status
  // and cache-cleanup): github-token is no flag, so a token never stays in shell history.
  it('offers no token flag, refuses one without echoing it, uses GITHUB_TOKEN over GH_TOKEN for the status, the release and cache-cleanup, and prints neither', async () => {
    const token = fakeToken();
    // GH_TOKEN is only the fallback: the stand-in answers 401 to it, and it must appear nowhere either.
    const fallback = fakeToken();
    const github = await githubFor(token);
    const goDirs = tempDir('secrets-cli-go');
    mkdirSync(path.join(goDirs, 'gocache'));
    const env = jobEnv({
      ...service.envFor('run-secrets-cli', 'job-1', TAG_REF),
      // A step of a workflow job: what the runner gives every step.
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_TEMP: tempDir('secrets-cli-temp'),
      GITHUB_REF: TAG_REF,
      GITHUB_API_URL: github.url,
      GO_BUILD_MATRIX_API_RETRY_MS: '5',
      // Its own GOCACHE: cache: always prunes it before the save.
      GOCACHE: path.join(goDirs, 'gocache'),
      GOMODCACHE: path.join(goDirs, 'gomodcache'),
      GITHUB_TOKEN: token,
      GH_TOKEN: fallback,
    });
    const scan = newScan(token);
    const fallbackScan = newScan(fallback);
    const scanBoth = async (where: string, text: string) => {
      await scanText(scan, where, text);
      await scanText(fallbackScan, where, text);
    };
    try {
      const help = await cli(['build', '--help'], env);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--targets');
      expect(help.stdout).not.toMatch(/--github-token|--token/i);
      await scanBoth('help stdout', help.stdout);
      await scanBoth('help stderr', help.stderr);

      for (const args of [[`--github-token=${token}`], ['--github-token', token]]) {
        const refused = await cli(['build', ...args], env);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(/^error: --github-token is not a flag: .*GITHUB_TOKEN, else GH_TOKEN/);
        await scanBoth(`${args.join(' ')} stdout`, refused.stdout);
        await scanBoth(`${args.join(' ')} stderr`, refused.stderr);
      }

      const workspace = workspaceWithHello('secrets-cli');
      const build = await cli(
        [
          'build',
          '--working-directory',
          path.join(workspace, 'app'),
          '--targets',
          'linux/amd64 windows/amd64',
          '--version',
          TAG,
          '--badge',
          '--verbose',
          '--status',
          '--release',
          '--cache',
          'always',
          '--cache-key-prefix',
          'secrets-cli',
        ],
        env,
      );
      expect([build.code, build.stderr]).toEqual([0, expect.not.stringMatching(/^error: /m)]);
      expect(build.stdout).toContain('2/2 built, 0 failed');
      expect(build.stdout).toMatch(new RegExp(`^Release ${TAG}: published, \\d+ asset\\(s\\)`, 'm'));
      // GITHUB_TOKEN was used by each user, and GH_TOKEN by none: the stand-in would have refused it.
      expect(tokenUsers(github)).toEqual(EVERY_USER);
      expect(github.requests.filter((q) => q.status === 401 || q.status === 403)).toEqual([]);
      expect(github.statuses.map((st) => [st.sha, st.fields.description])).toEqual([
        [SHA, '2/2 targets verified'],
      ]);
      await scanBoth('build stdout', build.stdout);
      await scanBoth('build stderr', build.stderr);
      for (const sc of [scan, fallbackScan]) {
        await scanTree(sc, 'workspace', workspace);
        await scanServices(sc, github);
        for (const e of service
          .cacheEntries()
          .filter((c) => c.finalized && c.key.startsWith('secrets-cli-'))) {
          await scanBytes(sc, `cache ${e.key}`, service.blob(`http://127.0.0.1${e.blobPath}`) as Buffer);
        }
      }
      expect(scan.scanned).toEqual(
        expect.arrayContaining([
          'workspace/app/dist/hello-linux-amd64.tar.gz (gunzip) → hello',
          'workspace/app/dist/hello-windows-amd64.zip → hello.exe',
          'workspace/app/dist/manifest.json',
          'release asset checksums.txt',
          expect.stringMatching(/^cache secrets-cli-gocache-/),
        ]),
      );
      expect(scan.hits).toEqual([]);
      expect(fallbackScan.hits).toEqual([]);
    } finally {
      await github.stop();
    }
  });
});
