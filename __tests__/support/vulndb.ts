// A govulncheck file database (https://go.dev/security/vuln/database#api: index/db.json,
// index/modules.json, ID/<id>.json) made from golang.org/x/vulndb's data/osv at a pinned
// version, fetched through the Go module proxy into the suite's module cache: the tests scan
// offline against entries that never change.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from './engine.js';
import { SUITE_GOMODCACHE } from './thirdparty.js';
import type { Toolchain } from './toolchains.js';
import { goEnv } from './toolchains.js';

const execFileAsync = promisify(execFile);

export const VULNDB_MODULE = 'golang.org/x/vulndb';
export const VULNDB_VERSION = 'v0.0.0-20261105234957-e22db6528018';
/** The commit time of that version: the database's last modification. */
const VULNDB_TIME = '2026-11-05T23:49:57Z';

interface Osv {
  id: string;
  modified: string;
  affected: { package: { name: string }; ranges?: { type: string; events: Record<string, string>[] }[] }[];
}

/** data/osv of the pinned golang.org/x/vulndb, downloaded once into the suite's module cache. */
export async function osvDir(tc: Toolchain): Promise<string> {
  const outside = tempDir('vulndb-get');
  try {
    const { stdout } = await execFileAsync(
      tc.go,
      ['mod', 'download', '-json', `${VULNDB_MODULE}@${VULNDB_VERSION}`],
      { cwd: outside, env: goEnv(tc, { GOMODCACHE: SUITE_GOMODCACHE, GOFLAGS: '-mod=mod' }) },
    );
    const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`${VULNDB_MODULE}@${VULNDB_VERSION}: ${info.Error ?? 'no Dir'}`);
    return path.join(info.Dir, 'data', 'osv');
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
}

export interface VulnDatabase {
  readonly dir: string;
  /** What `-db` and `vulncheck-db` take. */
  readonly url: string;
  remove(): void;
}

/** A database of the given entries of the pinned data/osv, indexed as vuln.go.dev indexes it. */
export async function vulnDatabase(tc: Toolchain, ids: readonly string[]): Promise<VulnDatabase> {
  const source = await osvDir(tc);
  const dir = tempDir('vulndb');
  mkdirSync(path.join(dir, 'ID'));
  mkdirSync(path.join(dir, 'index'));
  const modules = new Map<string, { id: string; modified: string; fixed?: string }[]>();
  for (const id of ids) {
    const text = readFileSync(path.join(source, `${id}.json`), 'utf8');
    writeFileSync(path.join(dir, 'ID', `${id}.json`), text);
    const entry = JSON.parse(text) as Osv;
    for (const affected of entry.affected) {
      const fixed = nonSupersededFix(affected.ranges ?? []);
      const list = modules.get(affected.package.name) ?? [];
      list.push({ id: entry.id, modified: entry.modified, ...(fixed ? { fixed } : {}) });
      modules.set(affected.package.name, list);
    }
  }
  const index = [...modules.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([p, vulns]) => ({ path: p, vulns: vulns.sort((a, b) => (a.id < b.id ? -1 : 1)) }));
  writeFileSync(path.join(dir, 'index', 'modules.json'), JSON.stringify(index));
  writeFileSync(path.join(dir, 'index', 'db.json'), JSON.stringify({ modified: VULNDB_TIME }));
  return {
    dir,
    url: pathToFileURL(dir).href,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The latest fix of the SEMVER ranges, or none when a later `introduced` reopens it: the
 * index's `fixed` as golang.org/x/vuln/internal/semver.NonSupersededFix computes it.
 */
function nonSupersededFix(ranges: readonly { type: string; events: Record<string, string>[] }[]): string {
  let latest = '';
  for (const r of ranges) {
    if (r.type !== 'SEMVER') continue;
    for (const e of r.events) if (e.fixed && less(latest, e.fixed)) latest = e.fixed;
    for (const e of r.events) {
      if (e.introduced && e.introduced !== '0' && less(latest, e.introduced)) {
        latest = '';
        break;
      }
    }
  }
  return latest;
}

/** Semver order of versions without the leading v ('' is the lowest). */
function less(a: string, b: string): boolean {
  if (a === '') return b !== '';
  const parse = (v: string): { core: number[]; pre: string[] } => {
    const [core = '', pre] = v.split('+')[0]?.split(/-(.*)/s) ?? [];
    return { core: core.split('.').map(Number), pre: pre ? pre.split('.') : [] };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++)
    if ((x.core[i] ?? 0) !== (y.core[i] ?? 0)) return (x.core[i] ?? 0) < (y.core[i] ?? 0);
  if (x.pre.length === 0 || y.pre.length === 0) return x.pre.length > 0 && y.pre.length === 0;
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i] as string;
    const q = y.pre[i] as string;
    if (p === q) continue;
    const numeric = /^\d+$/.test(p) && /^\d+$/.test(q);
    return numeric ? Number(p) < Number(q) : /^\d+$/.test(p) || (!/^\d+$/.test(q) && p < q);
  }
  return x.pre.length < y.pre.length;
}
