#!/usr/bin/env node
// Lists the `throw` sites in src/ that no test reaches (FormatError sites, the verifier's
// "not this file format" signals, and rethrows of a caught error are left out). One jest run gives both halves of the data:
//   - in-process code (src/ through ts-jest) from jest's own V8 coverage, mapped by jest;
//   - subprocesses (dist/cli.js, dist/index.js) from NODE_V8_COVERAGE, which every child
//     inherits, mapped back to src/ through a source-mapped twin of dist/ built here: the same
//     ncc build with source maps on, whose code is byte for byte the shipped dist/ (checked).
// A site counts as reached when the innermost V8 range around its `throw` ran at least once.
// V8's ranges are the limit of what this can tell: after a conditional expression V8 may end a
// not-taken block's range early, and a `throw` in that tail then reads as reached
// (src/targets/expand.ts's last throw did, in a run of one test that never took it).
//
//   node scripts/unreached-throws.mjs [jest args, e.g. test files]   run jest, then report
//   node scripts/unreached-throws.mjs --report                       report the last run again
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const { TraceMap, allGeneratedPositionsFor } = require('@jridgewell/trace-mapping');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'coverage', 'throws');
const rawDir = path.join(out, 'raw');
const jestDir = path.join(out, 'jest');
const args = process.argv.slice(2);

let jestStatus = 0;
if (args[0] !== '--report') jestStatus = runJest(args);
// Coverage is of offsets and lines: src/ and dist/ must be what the run ran.
const stamp = path.join(out, 'sources.sha256');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== fingerprint()) {
  console.error(
    `src/ or dist/ changed since the coverage run (or ${stamp} is missing): run this script without --report`,
  );
  process.exit(2);
}
const sites = throwSites();
const inProcess = jestCoverage();
const inDist = distCoverage(sites);
const unreached = sites.filter((s) => !inDist.has(s) && !ran(inProcess.get(s.path), s));
for (const s of unreached) console.log(`${s.file}:${s.line}  ${s.message}`);
console.log(`${unreached.length} of ${sites.length} non-format throw sites in src/ are reached by no test.`);
if (jestStatus !== 0)
  console.error(`jest exited with status ${jestStatus}: the coverage is of a failing run.`);
process.exit(jestStatus === 0 ? 0 : 1);

function runJest(jestArgs) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(rawDir, { recursive: true });
  writeFileSync(path.join(out, 'sources.sha256'), fingerprint());
  const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
  const run = spawnSync(
    process.execPath,
    [
      jest,
      '--coverage',
      '--coverageProvider=v8',
      '--coverageReporters=json',
      `--coverageDirectory=${jestDir}`,
      '--collectCoverageFrom=src/**/*.ts',
      ...jestArgs,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      // As `npm run jest` runs the suite, plus the coverage directory every node process writes to.
      env: {
        ...process.env,
        NODE_OPTIONS: '--experimental-vm-modules',
        NODE_NO_WARNINGS: '1',
        NODE_V8_COVERAGE: rawDir,
      },
    },
  );
  return run.status ?? 1;
}

/** One hash of every file under src/ and dist/lib/. */
function fingerprint() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else hash.update(`${path.relative(root, full)}\0`).update(readFileSync(full));
    }
  };
  walk(path.join(root, 'src'));
  if (existsSync(path.join(root, 'dist', 'lib'))) walk(path.join(root, 'dist', 'lib'));
  return `${hash.digest('hex')}\n`;
}

/** Every `throw` in src/ but `throw new FormatError(…)`, with where it is and what it says. */
function throwSites() {
  const sites = [];
  const walkDir = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walkDir(path.join(dir, e.name))
        : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
          ? [path.join(dir, e.name)]
          : [],
    );
  for (const file of walkDir(path.join(root, 'src')).sort()) {
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      // A rethrow passes on an error made elsewhere: no path of its own to take.
      if (ts.isThrowStatement(node) && !isFormatError(node.expression) && !ts.isIdentifier(node.expression)) {
        const at = source.getLineAndCharacterOfPosition(node.getStart(source));
        sites.push({
          path: file,
          file: path.relative(root, file),
          line: at.line + 1,
          column: at.character,
          message: describe(node.expression, source),
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sites;
}

function isFormatError(expr) {
  return ts.isNewExpression(expr) && expr.expression.getText() === 'FormatError';
}

function describe(expr, source) {
  const said = expr.getText(source).replace(/\s+/g, ' ').trim().replace(/^new /, '');
  return said.length > 110 ? `${said.slice(0, 110)}…` : said;
}

/** Istanbul coverage of the in-process runs, as jest mapped it to src/. */
function jestCoverage() {
  const file = path.join(jestDir, 'coverage-final.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run this script without --report first`);
  return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8'))));
}

/**
 * Which sites ran in a subprocess of the shipped dist/: each site's position is carried through
 * the twin's source maps into dist/lib, and the innermost V8 range around it decides.
 */
function distCoverage(sites) {
  const distLib = path.join(root, 'dist', 'lib');
  const prefix = pathToFileURL(distLib).href + '/';
  const files = existsSync(rawDir) ? readdirSync(rawDir).filter((f) => f.endsWith('.json')) : [];
  const scripts = files.flatMap((f) =>
    JSON.parse(readFileSync(path.join(rawDir, f), 'utf8')).result.filter((s) => s.url.startsWith(prefix)),
  );
  if (scripts.length === 0) return new Set();
  const twin = sourceMappedTwin();
  try {
    const where = new Map(); // site → { name, offset } in dist/lib
    for (const name of readdirSync(path.join(twin, 'lib')).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(path.join(distLib, name), 'utf8');
      const lineStarts = [0];
      for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1);
      const map = new TraceMap(readFileSync(path.join(twin, 'lib', `${name}.map`), 'utf8'));
      const sources = new Map();
      map.sources.forEach((s) => {
        const src = /(?:^|\/)(src\/.+\.ts)$/.exec(s ?? '');
        if (src && !s.includes('node_modules')) sources.set(path.join(root, src[1]), s);
      });
      for (const site of sites) {
        const source = sources.get(site.path);
        if (source === undefined) continue;
        // ncc maps whole lines: of the lines made from the site's line, the `throw` is in the first that has one.
        const lines = allGeneratedPositionsFor(map, { source, line: site.line, column: 0 })
          .map((g) => g.line)
          .filter((l) => l !== null);
        for (const line of lines) {
          const start = lineStarts[line - 1] ?? 0;
          const text = code.slice(start, lineStarts[line] ?? code.length);
          const column = text.search(/\bthrow\b/);
          if (column < 0) continue;
          where.set(site, { name, offset: start + column });
          break;
        }
      }
    }
    const reached = new Set();
    for (const script of scripts) {
      const name = script.url.slice(prefix.length);
      for (const [site, at] of where) {
        if (at.name !== name || reached.has(site)) continue;
        let best = null;
        for (const fn of script.functions) {
          for (const r of fn.ranges) {
            const inside = r.startOffset <= at.offset && at.offset < r.endOffset;
            if (inside && (best === null || r.endOffset - r.startOffset <= best.endOffset - best.startOffset))
              best = r;
          }
        }
        if (best !== null && best.count > 0) reached.add(site);
      }
    }
    return reached;
  } finally {
    rmSync(twin, { recursive: true, force: true });
  }
}

/**
 * dist/lib built again with source maps that reach the TypeScript (ncc passes the nearest
 * tsconfig's compilerOptions to ts-loader, so a src/tsconfig.json asking for sourceMap is put
 * there for the build and taken away after). Refuses when its code is not dist/'s code.
 */
function sourceMappedTwin() {
  const twin = mkdtempSync(path.join(os.tmpdir(), 'go-build-matrix-twin-'));
  const tsconfig = path.join(root, 'src', 'tsconfig.json');
  if (existsSync(tsconfig))
    throw new Error(`${tsconfig} exists; this script makes its own there for the build`);
  writeFileSync(tsconfig, '{ "extends": "../tsconfig.json", "compilerOptions": { "sourceMap": true } }\n');
  try {
    const ncc = require.resolve('@vercel/ncc/dist/ncc/cli.js');
    execFileSync(
      process.execPath,
      [
        ncc,
        'build',
        'src/lib.ts',
        '-o',
        path.join(twin, 'lib'),
        '--source-map',
        '--no-source-map-register',
        '--quiet',
      ],
      { cwd: root, stdio: 'inherit' },
    );
  } finally {
    rmSync(tsconfig, { force: true });
  }
  for (const name of readdirSync(path.join(twin, 'lib')).filter((f) => f.endsWith('.js'))) {
    const mapped = readFileSync(path.join(twin, 'lib', name), 'utf8');
    const comment = `\n//# sourceMappingURL=${name}.map`;
    const code = mapped.endsWith(comment) ? mapped.slice(0, -comment.length) : mapped;
    const shipped = path.join(root, 'dist', 'lib', name);
    if (!existsSync(shipped) || readFileSync(shipped, 'utf8') !== code) {
      throw new Error(
        `dist/lib/${name} is not the build of these sources: run 'npm run build' before the tests`,
      );
    }
  }
  return twin;
}

/** Whether the innermost range around the site ran, in jest's istanbul data of one file. */
function ran(fc, site) {
  if (!fc) return false;
  const pos = { line: site.line, column: site.column };
  const inside = (loc) => before(loc.start, pos) && before(pos, loc.end) && !same(pos, loc.end);
  let best = null;
  const consider = (loc, count) => {
    if (loc && inside(loc) && (best === null || span(loc) <= span(best.loc))) best = { loc, count };
  };
  for (const [id, fn] of Object.entries(fc.fnMap)) consider(fn.loc, fc.f[id]);
  for (const [id, branch] of Object.entries(fc.branchMap)) {
    branch.locations.forEach((loc, i) => consider(loc, fc.b[id][i]));
  }
  if (best !== null) return best.count > 0;
  // Module-level code: the statement (line) counts.
  return Object.entries(fc.statementMap).some(([id, s]) => s.start.line === site.line && fc.s[id] > 0);
}

function before(a, b) {
  return a.line < b.line || (a.line === b.line && a.column <= b.column);
}
function same(a, b) {
  return a.line === b.line && a.column === b.column;
}
function span(loc) {
  return (loc.end.line - loc.start.line) * 1e6 + (loc.end.column - loc.start.column);
}
