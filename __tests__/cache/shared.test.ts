// One HOME, several jobs (self-hosted runners): a restore must not change a file another job may be
// reading, pruning must not delete what this job did not bring, and GOMODCACHE entries must not carry
// the toolchains GOTOOLCHAIN downloads into it. Also: the log says how big the entry was, not how
// big the directory is afterwards. All with the real @actions/cache client against the results
// service emulation.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { CacheRequest } from '../../src/cache/index.js';
import { restoreCaches, saveCaches } from '../../src/cache/index.js';
import { MemoryLogger } from '../../src/log.js';
import type { ResultsService } from '../support/results-service.js';
import { startResultsService } from '../support/results-service.js';
import { jobEnv, moduleDir, request, tempDir, warnings, writeGoEntry } from './helpers.js';

let svc: ResultsService;
beforeAll(async () => {
  svc = await startResultsService();
});
afterAll(async () => {
  await svc.close();
});

/** A job of a run on the machine whose HOME is `home`: its caches are home's. */
function job(home: string, run: string, extra: Partial<CacheRequest> = {}): CacheRequest {
  const root = tempDir('shared-job');
  return request(root, jobEnv(svc.env, root, run), {
    gocache: path.join(home, '.cache', 'go-build'),
    gomodcache: path.join(home, 'go', 'pkg', 'mod'),
    moduleDir: moduleDir(root, 'example.com/dep v1.0.0 h1:x=\n'),
    ...extra,
  });
}

function write(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

const infos = (log: MemoryLogger) => log.lines.filter((l) => l.level === 'info').map((l) => l.message);

describe('a restore into caches another job is using', () => {
  it('never replaces a file that exists, and moves in what is missing', async () => {
    const prefix = { keyPrefix: 'replace' };
    // The same HOME on both machines: an entry's version hashes the cache paths.
    const home = tempDir('shared-home');
    const first = job(home, '1', prefix);
    const cold = await restoreCaches(first, new MemoryLogger());
    const gomodFile = path.join('example.com', 'dep@v1.0.0', 'dep.go');
    write(path.join(first.gomodcache, gomodFile), 'package dep // as saved\n');
    write(path.join(first.gomodcache, 'example.com', 'more@v1.0.0', 'more.go'), 'package more\n');
    const entry = writeGoEntry(first.gocache, Buffer.from('output as saved'));
    const gocacheFile = path.relative(first.gocache, entry.d);
    await saveCaches(first, cold, new MemoryLogger());
    rmSync(home, { recursive: true });

    // The other machine: another job already wrote the same names (an extraction over them
    // would change the files under its feet).
    const second = job(home, '2', prefix);
    const liveMod = path.join(second.gomodcache, gomodFile);
    const liveOutput = path.join(second.gocache, gocacheFile);
    write(liveMod, 'package dep // the other job reads this\n');
    write(liveOutput, 'the other job reads this output');
    const [modInode, outputInode] = [statSync(liveMod).ino, statSync(liveOutput).ino];
    const log = new MemoryLogger();
    await restoreCaches(second, log);
    expect(warnings(log)).toEqual([]);
    expect(readFileSync(liveMod, 'utf8')).toBe('package dep // the other job reads this\n');
    expect(readFileSync(liveOutput, 'utf8')).toBe('the other job reads this output');
    expect([statSync(liveMod).ino, statSync(liveOutput).ino]).toEqual([modInode, outputInode]);
    // What was missing came in; nothing of the staging is left beside the caches.
    expect(readFileSync(path.join(second.gomodcache, 'example.com', 'more@v1.0.0', 'more.go'), 'utf8')).toBe(
      'package more\n',
    );
    expect(existsSync(path.join(second.gocache, path.relative(first.gocache, entry.a)))).toBe(true);
    expect(readdirSync(path.dirname(second.gocache))).toEqual(['go-build']);
    expect(readdirSync(path.dirname(second.gomodcache))).toEqual(['mod']);
  });

  it('prunes only what its own restore brought and no build used', async () => {
    const prefix = { keyPrefix: 'prune' };
    // The same HOME on both machines: an entry's version hashes the cache paths.
    const home = tempDir('shared-home');
    const first = job(home, '1', prefix);
    const cold = await restoreCaches(first, new MemoryLogger());
    const restoredUnused = writeGoEntry(first.gocache);
    await saveCaches(first, cold, new MemoryLogger());
    rmSync(home, { recursive: true });

    const second = job(home, '2', prefix);
    // Another job's entries, some of them old: it may be reading them right now.
    const others = [writeGoEntry(second.gocache), writeGoEntry(second.gocache)];
    const log = new MemoryLogger();
    const restored = await restoreCaches(second, log);
    const mine = path.join(second.gocache, path.relative(first.gocache, restoredUnused.d));
    expect(existsSync(mine)).toBe(true);
    writeGoEntry(second.gocache);
    await saveCaches(second, restored, log);
    expect(warnings(log)).toEqual([]);
    expect(others.flatMap((e) => [e.a, e.d]).filter((f) => !existsSync(f))).toEqual([]);
    expect(existsSync(mine)).toBe(false);
  });
});

describe('a GOCACHE that is a symbolic link (to a bigger disk)', () => {
  it('stays one: the entry lands where it links to, and nothing is left beside either', async () => {
    const prefix = { keyPrefix: 'symlink' };
    const home = tempDir('shared-home');
    const first = job(home, '1', prefix);
    const cold = await restoreCaches(first, new MemoryLogger());
    const entry = writeGoEntry(first.gocache);
    await saveCaches(first, cold, new MemoryLogger());
    rmSync(home, { recursive: true });

    const disk = tempDir('shared-disk');
    const target = path.join(disk, 'go-build');
    mkdirSync(target);
    const second = job(home, '2', prefix);
    mkdirSync(path.dirname(second.gocache), { recursive: true });
    symlinkSync(target, second.gocache);
    const log = new MemoryLogger();
    await restoreCaches(second, log);
    expect(warnings(log)).toEqual([]);
    expect(lstatSync(second.gocache).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(target, path.relative(first.gocache, entry.d)))).toBe(true);
    expect(readdirSync(disk)).toEqual(['go-build']);
    expect(readdirSync(path.dirname(second.gocache))).toEqual(['go-build']);
  });
});

describe('GOMODCACHE entries', () => {
  it('leave out the Go toolchains GOTOOLCHAIN downloaded into it', async () => {
    const prefix = { keyPrefix: 'toolchain' };
    // The same HOME on both machines: an entry's version hashes the cache paths.
    const home = tempDir('shared-home');
    const first = job(home, '1', prefix);
    const cold = await restoreCaches(first, new MemoryLogger());
    const mod = first.gomodcache;
    const toolchain = 'toolchain@v0.0.1-go1.27.3.linux-amd64';
    write(path.join(mod, 'golang.org', toolchain, 'bin', 'go'), Buffer.alloc(300_000));
    write(
      path.join(mod, 'cache', 'download', 'golang.org', 'toolchain', '@v', `${toolchain.slice(10)}.zip`),
      'z',
    );
    const kept = [
      path.join('golang.org', 'x', 'text@v0.1.0', 'doc.go'),
      path.join('cache', 'download', 'golang.org', 'x', 'text', '@v', 'v0.1.0.zip'),
      path.join('example.com', 'dep@v1.0.0', 'dep.go'),
      path.join('cache', 'download', 'example.com', 'dep', '@v', 'v1.0.0.zip'),
    ];
    for (const file of kept) write(path.join(mod, file), '1234567890');
    const log1 = new MemoryLogger();
    await saveCaches(first, cold, log1);
    expect(infos(log1)).toContainEqual(expect.stringMatching(/^GOMODCACHE: saved 40 B as /));

    rmSync(home, { recursive: true });
    const second = job(home, '2', prefix);
    const log2 = new MemoryLogger();
    await restoreCaches(second, log2);
    expect(warnings(log2)).toEqual([]);
    const files = (readdirSync(second.gomodcache, { recursive: true }) as string[]).filter((f) =>
      statSync(path.join(second.gomodcache, f)).isFile(),
    );
    expect(files.sort()).toEqual([...kept].sort());
  });

  it('are reported at their own size when the directory already held more', async () => {
    const prefix = { keyPrefix: 'size' };
    // The same HOME on both machines: an entry's version hashes the cache paths.
    const home = tempDir('shared-home');
    const first = job(home, '1', prefix);
    const cold = await restoreCaches(first, new MemoryLogger());
    write(path.join(first.gomodcache, 'example.com', 'dep@v1.0.0', 'dep.go'), Buffer.alloc(1536));
    write(
      path.join(first.gomodcache, 'cache', 'download', 'example.com', 'dep', '@v', 'v1.0.0.zip'),
      Buffer.alloc(512),
    );
    await saveCaches(first, cold, new MemoryLogger());
    rmSync(home, { recursive: true });

    const second = job(home, '2', prefix);
    // What the machine's module cache held before: 3 MiB of other modules.
    write(
      path.join(second.gomodcache, 'example.com', 'big@v1.0.0', 'big.bin'),
      Buffer.alloc(3 * 1024 * 1024),
    );
    const log = new MemoryLogger();
    await restoreCaches(second, log);
    expect(infos(log)).toContainEqual(
      expect.stringMatching(/^GOMODCACHE: restored 2\.0 KiB from size-gomod-/),
    );
  });
});
