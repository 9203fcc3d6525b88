// `vulncheck`: every binary through govulncheck -mode=binary (golang.org/x/vuln v1.9.0, built
// from the module proxy into the tool cache), offline against a database of pinned
// golang.org/x/vulndb entries: a called vulnerable function is found, an imported package
// without it is reported as not reachable, a fixed version is clean, and the standard library
// of an older Go is named as such.
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseOptions } from '../src/options/options.js';
import type { ArtifactEntry } from '../src/report/manifest.js';
import { renderSummary, renderTable } from '../src/report/summary.js';
import { cli } from './support/cli.js';
import { build, copyModule, tempDir } from './support/engine.js';
import { SUITE_GOMODCACHE } from './support/thirdparty.js';
import type { Toolchain } from './support/toolchains.js';
import { goEnv, REPO_ROOT, SUITE_CACHE_DIR, toolchain } from './support/toolchains.js';
import type { VulnDatabase } from './support/vulndb.js';
import { vulnDatabase } from './support/vulndb.js';

const FIXTURES = path.join(REPO_ROOT, '__tests__', 'fixtures', 'vulncheck');
/** govulncheck stays built here between runs, as RUNNER_TOOL_CACHE keeps it on a runner. */
const TOOL_CACHE = path.join(SUITE_CACHE_DIR, 'tool-cache');
const go126 = toolchain('1.26');
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

let db: VulnDatabase;
const temps: string[] = [];

beforeAll(async () => {
  mkdirSync(TOOL_CACHE, { recursive: true });
  // GO-2021-0113 is fixed in golang.org/x/text v0.3.7 itself: it must not be reported.
  // GO-2025-4009 (encoding/pem, fixed in go1.24.8) is in Go 1.23.5's standard library, which the
  // std fixture links without encoding/pem.
  db = await vulnDatabase(go126, ['GO-2022-1059', 'GO-2021-0113', 'GO-2025-3956', 'GO-2025-4009']);
}, 120_000);

afterAll(() => {
  db.remove();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function fixture(name: string): string {
  const root = tempDir(`vuln-${name}`);
  temps.push(root);
  const dir = path.join(root, name);
  copyModule(path.join(FIXTURES, name), dir);
  return dir;
}

async function scan(
  tc: Toolchain,
  name: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
) {
  const dir = fixture(name);
  const run = await build(
    tc,
    {
      'working-directory': dir,
      // Beside the module, in a directory the suite removes.
      'output-dir': path.join(dir, '..', 'out'),
      'vulncheck-db': db.url,
      sbom: 'cyclonedx',
      cache: 'false',
      upload: 'false',
      ...inputs,
    },
    { GOMODCACHE: SUITE_GOMODCACHE, RUNNER_TOOL_CACHE: TOOL_CACHE, ...env },
  );
  return { ...run, dir };
}

function said(run: { log: { lines: { level: string; message: string }[] } }, level: string): string {
  return run.log.lines
    .filter((l) => l.level === level)
    .map((l) => l.message)
    .join('\n');
}

interface Vulnerability {
  id: string;
  analysis: { state: string; justification?: string };
  affects: { ref: string; versions: { version: string; status: string }[] }[];
  recommendation?: string;
}

async function sbomVulnerabilities(a: ArtifactEntry): Promise<Vulnerability[]> {
  const [file] = a.sboms ?? [];
  const text = readFileSync(path.join('/', file ?? ''), 'utf8');
  expect([a.target, await validator.validate(text)]).toEqual([a.target, null]);
  return (JSON.parse(text) as { vulnerabilities?: Vulnerability[] }).vulnerabilities ?? [];
}

describe('vulncheck', () => {
  it('finds a called vulnerable function of golang.org/x/text v0.3.7 in ELF, Mach-O and PE binaries (warn)', async () => {
    const run = await scan(go126, 'reachable', {
      targets: 'linux/amd64 darwin/arm64 windows/amd64',
      vulncheck: 'warn',
    });
    for (const a of run.manifest.artifacts) {
      expect([a.target, a.status]).toEqual([a.target, 'ok']);
      const v = a.vulncheck;
      expect(v?.scanner).toBe('govulncheck@v1.9.0');
      expect(v?.db).toBe(db.url);
      // ldflags '-s -w' strip the symbol table: the same build linked with it is scanned.
      expect(v?.scanned).toBe('unstripped-link');
      expect(v?.error).toBeNull();
      expect(v?.imported).toEqual([]);
      expect(
        v?.reachable.map((f) => ({ ...f, symbols: f.symbols.includes('language.ParseAcceptLanguage') })),
      ).toEqual([
        {
          id: 'GO-2022-1059',
          aliases: ['CVE-2022-32149', 'GHSA-69ch-w2m2-3vjp'],
          summary: 'Denial of service via crafted Accept-Language header in golang.org/x/text/language',
          module: 'golang.org/x/text',
          version: 'v0.3.7',
          fixed: 'v0.3.8',
          packages: ['golang.org/x/text/language'],
          symbols: true,
        },
      ]);
      const [vuln, ...more] = await sbomVulnerabilities(a);
      expect(more).toEqual([]);
      expect(vuln).toMatchObject({
        id: 'GO-2022-1059',
        analysis: { state: 'exploitable' },
        affects: [{ ref: 'pkg:golang/golang.org/x/text@v0.3.7', versions: [{ version: 'v0.3.7' }] }],
        recommendation: 'Upgrade golang.org/x/text to v0.3.8 or newer.',
      });
    }
    const warnings = said(run, 'warning');
    for (const target of ['linux/amd64', 'darwin/arm64', 'windows/amd64']) {
      expect(warnings).toContain(
        `${target}: 1 known vulnerability reachable in ${run.manifest.artifacts.find((a) => a.target === target)?.path ?? ''}: GO-2022-1059 in golang.org/x/text v0.3.7 (`,
      );
    }
    expect(warnings).toContain('language.ParseAcceptLanguage');
    expect(warnings).not.toContain('GO-2021-0113');
    const summary = renderSummary(run.manifest);
    expect(summary).toContain('| smoke | vulns | status |');
    expect(summary).toMatch(/\| 1 reachable \| ✅ ok \|/);
    expect(summary).toContain(
      '[GO-2022-1059](https://pkg.go.dev/vuln/GO-2022-1059) | `linux/amd64` | reachable: ',
    );
    const table = renderTable(run.manifest);
    expect(table.split('\n')[0]).toMatch(/SMOKE\s+VULNS\s+STATUS$/);
    expect(table).toMatch(/linux\/amd64 .* 1 reachable\s+ok/);
  }, 600_000);

  it('reports the same module imported without the call as imported, not reachable, and does not fail on it', async () => {
    const run = await scan(go126, 'imported', { targets: 'linux/amd64', vulncheck: 'fail' });
    const [a] = run.manifest.artifacts;
    expect(a?.status).toBe('ok');
    expect(a?.vulncheck?.reachable).toEqual([]);
    expect(
      a?.vulncheck?.imported.map((f) => [f.id, f.module, f.version, f.fixed, f.packages, f.symbols]),
    ).toEqual([
      ['GO-2022-1059', 'golang.org/x/text', 'v0.3.7', 'v0.3.8', ['golang.org/x/text/language'], []],
    ]);
    expect(said(run, 'info')).toContain(
      'linux/amd64: known vulnerabilities 1 imported, not reachable (no vulnerable function in the binary): GO-2022-1059 in golang.org/x/text v0.3.7, fixed in v0.3.8.',
    );
    expect(said(run, 'warning')).not.toContain('GO-2022-1059');
    expect(said(run, 'error')).toBe('');
    const [vuln] = await sbomVulnerabilities(a as ArtifactEntry);
    expect(vuln?.analysis).toEqual(
      expect.objectContaining({ state: 'not_affected', justification: 'code_not_reachable' }),
    );
    expect(renderSummary(run.manifest)).toContain('| 0 reachable, 1 imported | ✅ ok |');
    expect(renderSummary(run.manifest)).toContain(
      '| GO-2022-1059 | `linux/amd64` | imported, not reachable |',
    );
    expect(renderTable(run.manifest)).toContain('imported, not reachable linux/amd64: GO-2022-1059');
  }, 600_000);

  it('finds nothing in the fixed version, v0.3.8; a binary with its symbol table is scanned itself', async () => {
    const run = await scan(go126, 'fixed', { targets: 'linux/amd64', vulncheck: 'fail', ldflags: '-w' });
    const [a] = run.manifest.artifacts;
    expect(a?.vulncheck?.scanned).toBe('binary');
    expect([a?.status, a?.vulncheck?.reachable, a?.vulncheck?.imported, a?.vulncheck?.error]).toEqual([
      'ok',
      [],
      [],
      null,
    ]);
    expect(await sbomVulnerabilities(a as ArtifactEntry)).toEqual([]);
    expect(renderTable(run.manifest)).toMatch(/linux\/amd64 .* none\s+ok/);
  }, 600_000);

  it('fails the target naming the ID in fail mode: nothing of it ships, the CLI exits 1', async () => {
    const dir = fixture('reachable');
    const out = tempDir('vuln-cli-out');
    temps.push(out);
    const { code, stdout, stderr } = await cli(
      [
        'build',
        '--targets',
        'linux/amd64',
        '--vulncheck',
        'fail',
        '--vulncheck-db',
        db.url,
        '--output-dir',
        out,
      ],
      goEnv(go126, { GOMODCACHE: SUITE_GOMODCACHE, RUNNER_TOOL_CACHE: TOOL_CACHE }),
      dir,
    );
    expect([code, stderr]).toEqual([
      1,
      expect.stringContaining('linux/amd64: 1 known vulnerability reachable'),
    ]);
    expect(stdout).toMatch(/SMOKE\s+VULNS\s+STATUS/);
    expect(stdout).toContain('vulncheck-failed: vulncheck: GO-2022-1059 reachable');
    expect(stdout).toContain('vulnerable linux/amd64: GO-2022-1059 in golang.org/x/text v0.3.7');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      artifacts: ArtifactEntry[];
    };
    const [a] = manifest.artifacts;
    expect([a?.status, a?.archive, a?.path?.includes('/failed/')]).toEqual(['vulncheck-failed', null, true]);
    expect(existsSync(path.join(out, 'reachable-linux-amd64'))).toBe(false);
    expect(existsSync(path.join(out, 'reachable-linux-amd64.tar.gz'))).toBe(false);
    expect(readFileSync(path.join(out, 'checksums.txt'), 'utf8')).toBe('');
  }, 600_000);

  it('names the standard library of the toolchain (Go 1.23), which a newer Go patch fixes', async () => {
    const run = await scan(toolchain('1.23'), 'std', { targets: 'linux/amd64', vulncheck: 'warn' });
    const [a] = run.manifest.artifacts;
    expect(a?.status).toBe('ok');
    expect(a?.vulncheck?.reachable).toEqual([
      {
        id: 'GO-2025-3956',
        aliases: ['CVE-2025-47906'],
        summary: 'Unexpected paths returned from LookPath in os/exec',
        module: 'stdlib',
        version: 'go1.23.5',
        fixed: 'go1.23.12',
        packages: ['os/exec'],
        symbols: ['exec.LookPath'],
      },
    ]);
    expect(said(run, 'warning')).toContain(
      "GO-2025-3956 in the toolchain's standard library: go1.23.5 (exec.LookPath); a newer Go patch fixes it (fixed in go1.23.12)",
    );
    // encoding/pem is not in the binary: counted, neither reachable nor imported.
    expect(a?.vulncheck?.imported).toEqual([]);
    expect(a?.vulncheck?.required?.map((f) => [f.id, f.module, f.version, f.fixed, f.packages])).toEqual([
      ['GO-2025-4009', 'stdlib', 'go1.23.5', 'go1.24.8', []],
    ]);
    expect(said(run, 'info')).toContain(
      'linux/amd64: known vulnerabilities 1 in modules it links without their vulnerable packages.',
    );
    expect(renderTable(run.manifest)).toMatch(/linux\/amd64 .* 1 reachable\s+ok/);
    const [vuln, notPresent] = await sbomVulnerabilities(a as ArtifactEntry);
    expect(vuln).toMatchObject({
      affects: [{ ref: 'pkg:golang/std@go1.23.5' }],
      recommendation: 'Build with go1.23.12 or newer.',
    });
    expect(notPresent).toMatchObject({
      id: 'GO-2025-4009',
      analysis: { state: 'not_affected', justification: 'code_not_present' },
    });
  }, 900_000);

  it('says a wasm binary is not scanned (govulncheck reads ELF, PE and Mach-O), without failing it', async () => {
    const run = await scan(go126, 'std', { targets: 'js/wasm', vulncheck: 'fail' });
    const [a] = run.manifest.artifacts;
    expect([a?.status, a?.vulncheck?.scanned, a?.vulncheck?.error]).toEqual([
      'ok',
      null,
      'govulncheck reads ELF, PE and Mach-O files, not wasm: not scanned',
    ]);
    expect(said(run, 'warning')).toContain(
      'js/wasm: govulncheck reads ELF, PE and Mach-O files, not wasm: not scanned.',
    );
    expect(renderTable(run.manifest)).toMatch(/not scanned\s+ok/);
  }, 300_000);

  describe('without the module proxy, govulncheck cannot be built', () => {
    const offline = (mode: string) => {
      const root = tempDir('vuln-offline');
      temps.push(root);
      return scan(
        go126,
        'std',
        { targets: 'linux/amd64', vulncheck: mode },
        {
          GOPROXY: 'off',
          GOMODCACHE: path.join(root, 'gomodcache'),
          RUNNER_TOOL_CACHE: path.join(root, 'tool-cache'),
        },
      );
    };

    it('warn: a warning says so, the target passes, its record says why it was not scanned', async () => {
      const run = await offline('warn');
      const [a] = run.manifest.artifacts;
      expect(a?.status).toBe('ok');
      expect(a?.vulncheck?.scanned).toBeNull();
      expect(a?.vulncheck?.error).toMatch(
        /^govulncheck is not available: go install golang.org\/x\/vuln\/cmd\/govulncheck@v1.9.0 with go1.26.8 failed .*GOPROXY=off/,
      );
      expect(said(run, 'warning')).toContain('No binary was scanned for known vulnerabilities');
      expect(renderTable(run.manifest)).toMatch(/not scanned\s+ok/);
    }, 300_000);

    it('fail: the target fails, saying why', async () => {
      const run = await offline('fail');
      const [a] = run.manifest.artifacts;
      expect(a?.status).toBe('vulncheck-failed');
      expect(a?.error).toMatch(/^vulncheck: fail, and govulncheck is not available: /);
      expect(said(run, 'error')).toContain('No binary was scanned for known vulnerabilities');
    }, 300_000);
  });
});

describe('vulncheck inputs', () => {
  const parse = (inputs: Record<string, string>) => parseOptions(inputs, REPO_ROOT);

  it("'auto' warns when a release is made, else is off", () => {
    expect(parse({}).vulncheck).toBe('off');
    expect(parse({ release: 'true' }).vulncheck).toBe('warn');
    expect(parse({ release: 'draft', vulncheck: 'fail' }).vulncheck).toBe('fail');
  });

  it('takes an https mirror, a file:// URL or a directory; anything else names the input', () => {
    expect(parse({ 'vulncheck-db': 'https://vuln.example.com/' }).vulncheckDb).toBe(
      'https://vuln.example.com',
    );
    expect(parse({ 'vulncheck-db': '__tests__' }).vulncheckDb).toBe(`file://${REPO_ROOT}/__tests__`);
    expect(parse({ 'vulncheck-db': `file://${REPO_ROOT}/src` }).vulncheckDb).toBe(`file://${REPO_ROOT}/src`);
    expect(() => parse({ 'vulncheck-db': 'no/such/dir' })).toThrow(
      `Input 'vulncheck-db': "no/such/dir" is not valid. Name a vulnerability database govulncheck can read`,
    );
    expect(() => parse({ vulncheck: 'yes' })).toThrow(
      `Input 'vulncheck': "yes" is not valid. Valid values: 'auto', 'warn', 'fail', 'off'.`,
    );
  });
});
