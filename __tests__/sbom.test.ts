// SBOMs of real binaries: every document valid against the official CycloneDX 1.6 schema, the
// same modules, purls and hashes as cyclonedx-gomod finds in the same binaries (fzf, whose
// module set differs per target, and cyclonedx-gomod itself, a released build with upper-case
// module paths), byte-identical when written again, and the build info's replacements parsed.
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SbomContext, SbomSubject } from '../src/sbom/index.js';
import { SBOM_SUFFIX, writeSboms } from '../src/sbom/index.js';
import { cycloneDx } from '../src/sbom/cyclonedx.js';
import { golangPurl } from '../src/sbom/purl.js';
import { parseModinfo } from '../src/verify/modinfo.js';
import { TOOL } from '../src/version.js';
import { build, copyModule, tempDir } from './support/engine.js';
import { checkOut, FZF, SUITE_GOMODCACHE } from './support/thirdparty.js';
import { EXAMPLE_MODULE, goEnv, toolchain } from './support/toolchains.js';
import { goTool } from './support/tools.js';

const execFileAsync = promisify(execFile);

const tc = toolchain('1.26');
const CTX = { tool: TOOL, timestamp: new Date('2024-05-06T07:08:09Z') };
const GOMOD = 'github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod';
const GOMOD_VERSION = 'v1.10.0';
const FZF_TARGETS = ['linux/amd64', 'windows/amd64', 'darwin/arm64'];
const HELLO_TARGETS = [
  'linux/amd64',
  'windows/arm64',
  'darwin/amd64',
  'darwin/arm64',
  'js/wasm',
  'linux/arm/7',
];

interface Component {
  'bom-ref': string;
  type: string;
  name: string;
  version?: string;
  purl?: string;
  hashes?: { alg: string; content: string }[];
  properties?: { name: string; value: string }[];
}

interface Bom {
  serialNumber: string;
  metadata: { timestamp: string; component: Component; tools: unknown };
  components: Component[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

/** Our SBOM of `subject`, checked against the schema. */
async function sbomOf(subject: SbomSubject): Promise<{ text: string; bom: Bom }> {
  const [file] = await writeSboms(subject, ['cyclonedx'], CTX);
  expect(file).toBe(`${subject.file}${SBOM_SUFFIX.cyclonedx}`);
  const text = readFileSync(file ?? '', 'utf8');
  expect([subject.target, await validator.validate(text)]).toEqual([subject.target, null]);
  return { text, bom: JSON.parse(text) as Bom };
}

function subject(file: string, target: string): SbomSubject {
  return { file, target, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') };
}

/** The built binaries of an engine run as SBOM subjects, by target. */
function subjects(run: Awaited<ReturnType<typeof build>>): Map<string, SbomSubject> {
  const out = new Map<string, SbomSubject>();
  for (const a of run.manifest.artifacts) {
    expect([a.target, a.status, a.verify?.ok]).toEqual([a.target, 'ok', true]);
    if (a.path && a.sha256)
      out.set(a.target, { file: path.join('/', a.path), target: a.target, sha256: a.sha256 });
  }
  return out;
}

let gomod: string;
/** cyclonedx-gomod's SBOM of `file` (with the standard library, as ours has it). */
async function reference(file: string): Promise<Bom> {
  const out = path.join(tempDir('gomod'), 'bom.json');
  await execFileAsync(gomod, ['bin', '-json', '-std', '-output', out, file], { env: goEnv(tc) });
  return JSON.parse(readFileSync(out, 'utf8')) as Bom;
}

/** What a component says about its module: name@version, purl (the reference's qualifiers aside) and hash. */
function facts(components: Component[]): Map<string, { purl?: string; sha256?: string }> {
  return new Map(
    components.map((c) => [
      `${c.name}@${c.version ?? ''}`,
      // cyclonedx-gomod qualifies every purl with the GOOS/GOARCH of the machine it runs on
      // (`go env`, not the binary's) and type=module: the module's identity is the rest.
      { purl: c.purl?.replace(/\?[^#]*/, ''), sha256: c.hashes?.find((h) => h.alg === 'SHA-256')?.content },
    ]),
  );
}

function expectSameModules(ours: Bom, theirs: Bom): void {
  expect(ours.metadata.component.name).toBe(theirs.metadata.component.name);
  expect(facts(ours.components)).toEqual(facts(theirs.components));
  const refs = (b: Bom): string[] =>
    b.dependencies.find((d) => d.ref === b.metadata.component['bom-ref'])?.dependsOn ?? [];
  expect(refs(ours).length).toBe(ours.components.length);
  expect(refs(theirs).length).toBe(theirs.components.length - 1); // theirs: std is no dependency of main
}

describe('SBOMs of real binaries', () => {
  let fzf: Map<string, SbomSubject>;
  let hello: Map<string, SbomSubject>;

  beforeAll(async () => {
    gomod = await goTool(tc, GOMOD, GOMOD_VERSION);
    const env = { GOMODCACHE: SUITE_GOMODCACHE };
    const fzfDir = await checkOut(tc, FZF);
    fzf = subjects(await build(tc, { targets: FZF_TARGETS.join(' '), 'working-directory': fzfDir }, env));
    const helloDir = tempDir('hello');
    copyModule(EXAMPLE_MODULE, helloDir);
    hello = subjects(
      await build(tc, { targets: HELLO_TARGETS.join(' '), 'working-directory': helloDir, universal: 'true' }),
    );
  });

  it('validate against the CycloneDX 1.6 schema for every target, a universal binary included', async () => {
    expect([...hello.keys()].sort()).toEqual([...HELLO_TARGETS, 'darwin/universal'].sort());
    for (const s of [...hello.values(), ...fzf.values()]) {
      const { bom } = await sbomOf(s);
      const props = new Map(bom.metadata.component.properties?.map((p) => [p.name, p.value]));
      expect(props.get('go-build-matrix:target')).toBe(s.target);
      expect(bom.metadata.timestamp).toBe('2024-05-06T07:08:09Z');
      if (s.target === 'darwin/universal') {
        expect(props.get('go-build-matrix:slice:amd64:build:GOARCH')).toBe('amd64');
        expect(props.get('go-build-matrix:slice:amd64:build:GOAMD64')).toBe('v1');
        expect(props.get('go-build-matrix:slice:arm64:build:GOARCH')).toBe('arm64');
        continue;
      }
      const [goos, goarch, variant] = s.target.split('/');
      expect([props.get('go-build-matrix:build:GOOS'), props.get('go-build-matrix:build:GOARCH')]).toEqual([
        goos,
        goarch,
      ]);
      if (variant) expect(props.get('go-build-matrix:build:GOARM')).toBe(variant);
      expect(props.get('go-build-matrix:build:CGO_ENABLED')).toBe('0');
      expect(props.get('go-build-matrix:go:version')).toMatch(/^go1\.26\./);
    }
  });

  it('list the modules, purls and hashes cyclonedx-gomod finds in the same fzf binaries', async () => {
    const counts: string[] = [];
    for (const target of FZF_TARGETS) {
      const s = fzf.get(target) as SbomSubject;
      const ours = (await sbomOf(s)).bom;
      const theirs = await reference(s.file);
      expectSameModules(ours, theirs);
      expect(ours.components.filter((c) => c.hashes).length).toBe(ours.components.length - 1);
      counts.push(`${target} ${ours.components.length - 1} modules + std`);
    }
    console.log(
      `fzf ${FZF.version}: ${counts.join(', ')}, each the same as cyclonedx-gomod ${GOMOD_VERSION}'s`,
    );
    const names = async (t: string): Promise<string[]> =>
      (await sbomOf(fzf.get(t) as SbomSubject)).bom.components.map((c) => c.name);
    expect(await names('windows/amd64')).toContain('github.com/gdamore/tcell/v2');
    expect(await names('linux/amd64')).not.toContain('github.com/gdamore/tcell/v2');
  });

  it("match cyclonedx-gomod's own for its released build: main version and sum, package subpath, upper-case paths", async () => {
    const copy = path.join(tempDir('gomod-bin'), 'cyclonedx-gomod');
    copyFileSync(gomod, copy);
    const ours = (await sbomOf(subject(copy, 'linux/amd64'))).bom;
    const theirs = await reference(copy);
    expectSameModules(ours, theirs);
    const main = ours.metadata.component;
    expect(main.purl).toBe(
      `pkg:golang/github.com/CycloneDX/cyclonedx-gomod@${GOMOD_VERSION}#cmd/cyclonedx-gomod`,
    );
    expect(main.hashes).toEqual(theirs.metadata.component.hashes);
    expect(ours.components.map((c) => c.purl)).toContain(
      'pkg:golang/github.com/CycloneDX/cyclonedx-go@v0.9.3',
    );
  });

  it('are byte-identical when written again, and another binary has another serial number', async () => {
    const s = hello.get('linux/arm/7') as SbomSubject;
    const once = (await sbomOf(s)).text;
    const twice = (await sbomOf(s)).text;
    expect(twice).toBe(once);
    const other = (await sbomOf(hello.get('linux/amd64') as SbomSubject)).bom;
    expect(other.serialNumber).not.toBe((JSON.parse(once) as Bom).serialNumber);
    expect(other.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('describe a module replaced by a directory by its module path and the directory', async () => {
    const dir = tempDir('replaced');
    const write = (rel: string, text: string): void => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    };
    write('greet/go.mod', 'module example.com/greet\n\ngo 1.19\n');
    write('greet/greet.go', 'package greet\n\nfunc Hello() string { return "hello" }\n');
    write(
      'app/go.mod',
      'module example.com/app\n\ngo 1.19\n\nrequire example.com/greet v1.0.0\n\nreplace example.com/greet => ../greet\n',
    );
    write(
      'app/main.go',
      'package main\n\nimport "example.com/greet"\n\nfunc main() { println(greet.Hello()) }\n',
    );
    const bin = path.join(dir, 'app-bin');
    await execFileAsync(tc.go, ['build', '-o', bin, '.'], {
      cwd: path.join(dir, 'app'),
      env: goEnv(tc, { GOPROXY: 'off', GOFLAGS: '-buildvcs=false' }),
    });
    const { bom } = await sbomOf(subject(bin, 'linux/amd64'));
    expect(bom.components.find((c) => c.name === 'example.com/greet')).toEqual({
      'bom-ref': 'example.com/greet@v1.0.0 => ../greet',
      type: 'library',
      name: 'example.com/greet',
      scope: 'required',
      properties: [
        { name: 'go-build-matrix:replaces', value: 'example.com/greet@v1.0.0' },
        { name: 'go-build-matrix:replacement-directory', value: '../greet' },
      ],
    });
    // No version: no purl, for the main module too (built outside any repository).
    expect(bom.metadata.component).toMatchObject({
      name: 'example.com/app',
      purl: 'pkg:golang/example.com/app',
    });
    expect(bom.metadata.component).not.toHaveProperty('version');
    // cyclonedx-gomod names the component by the directory, at version (devel).
    const theirs = await reference(bin);
    expect(theirs.components.map((c) => [c.name, c.version])).toContainEqual(['../greet', '(devel)']);
  });

  it('refuse a file without Go build info, naming it', async () => {
    const file = path.join(tempDir('not-go'), 'true');
    copyFileSync('/bin/true', file);
    await expect(writeSboms(subject(file, 'linux/amd64'), ['cyclonedx'], CTX)).rejects.toThrow(
      `${file} carries no Go build info`,
    );
    const text = path.join(tempDir('not-go'), 'notes.txt');
    writeFileSync(text, 'hello\n');
    await expect(writeSboms(subject(text, 'linux/amd64'), ['cyclonedx'], CTX)).rejects.toThrow(text);
  });
});

describe('serial numbers', () => {
  const UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('differ between documents of one binary that say different things, and repeat for the same document', async () => {
    const dir = tempDir('serial');
    writeFileSync(path.join(dir, 'go.mod'), 'module example.com/serial\n\ngo 1.19\n');
    writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc main() { println("serial") }\n');
    const bin = path.join(dir, 'serial');
    await execFileAsync(tc.go, ['build', '-o', bin, '.'], {
      cwd: dir,
      env: goEnv(tc, { GOPROXY: 'off', GOFLAGS: '-buildvcs=false' }),
    });
    const s = subject(bin, 'linux/amd64');
    const serialOf = async (sub: SbomSubject, ctx: SbomContext) => {
      const [file] = await writeSboms(sub, ['cyclonedx'], ctx);
      const text = readFileSync(file ?? '', 'utf8');
      expect(await validator.validate(text)).toBeNull();
      return (JSON.parse(text) as Bom).serialNumber;
    };
    const first = await serialOf(s, CTX);
    expect(first).toMatch(UUID);
    expect(await serialOf(s, CTX)).toBe(first);
    // The same binary (one sha256) in documents that differ elsewhere: the date, the tool, the target named.
    const others = [
      await serialOf(s, { ...CTX, timestamp: new Date('2025-01-01T00:00:00Z') }),
      await serialOf(s, { ...CTX, tool: { ...CTX.tool, version: `${CTX.tool.version}-next` } }),
      await serialOf({ ...s, target: 'linux/amd64/v3' }, CTX),
    ];
    for (const serial of others) expect(serial).toMatch(UUID);
    expect(new Set([first, ...others]).size).toBe(4);
  });

  it('differ when only the linked modules differ, the binary hash being the same', async () => {
    const info = (version: string) =>
      parseModinfo(
        [
          'path\texample.com/app',
          'mod\texample.com/app\tv1.0.0\t',
          `dep\tgolang.org/x/sys\t${version}\t`,
          '',
        ].join('\n'),
      );
    const same = { file: '/out/app', target: 'linux/amd64', sha256: '0'.repeat(64) };
    const doc = (version: string) =>
      cycloneDx(same, [{ ...info(version), goVersion: 'go1.26.0', module: 'example.com/app' }], CTX);
    const [a, b] = [doc('v0.1.0'), doc('v0.2.0')];
    expect(await validator.validate(a)).toBeNull();
    expect(await validator.validate(b)).toBeNull();
    const serial = (text: string) => (JSON.parse(text) as Bom).serialNumber;
    expect(serial(a)).toMatch(UUID);
    expect(serial(b)).toMatch(UUID);
    expect(serial(a)).not.toBe(serial(b));
    expect(serial(doc('v0.1.0'))).toBe(serial(a));
  });
});

describe('build info replacements and purls', () => {
  it('parseModinfo gives a `=>` line to the dep before it, as runtime/debug does', () => {
    const m = parseModinfo(
      [
        'path\texample.com/app',
        'mod\texample.com/app\t(devel)\t',
        '=>\tnot/a/dep\tv1.0.0\t',
        'dep\tgithub.com/a/lib\tv1.0.0\t',
        '=>\tgithub.com/fork/lib\tv1.0.1\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
        'dep\texample.com/local\tv0.3.0',
        '=>\t../local\t(devel)\t',
        '=>\tstray\tv9.9.9\t',
        'dep\tgolang.org/x/sys\tv0.1.0\th1:def=',
        'build\tGOOS=linux',
        '',
      ].join('\n'),
    );
    // A `=>` after the main module or after another `=>` replaces nothing (runtime/debug rejects them).
    expect(m.deps).toEqual([
      {
        path: 'github.com/a/lib',
        version: 'v1.0.0',
        sum: null,
        replace: { path: 'github.com/fork/lib', version: 'v1.0.1', sum: `h1:${'A'.repeat(43)}=` },
      },
      {
        path: 'example.com/local',
        version: 'v0.3.0',
        sum: null,
        replace: { path: '../local', version: '(devel)', sum: null },
      },
      { path: 'golang.org/x/sys', version: 'v0.1.0', sum: 'h1:def=' },
    ]);
    expect(m.deps[2]).not.toHaveProperty('replace');
    expect(m.moduleSum).toBeNull();
  });

  it('describe a module replacement by what is linked, saying what it replaces', async () => {
    const h1 = (byte: string): string => `h1:${Buffer.alloc(32, byte).toString('base64')}`;
    const info = parseModinfo(
      [
        'path\texample.com/app/cmd/app',
        'mod\texample.com/app\t(devel)\t',
        'dep\tgithub.com/a/lib\tv1.0.0',
        `=>\tgithub.com/fork/lib\tv1.0.1\t${h1('a')}`,
        'dep\tgithub.com/b/lib\tv2.0.0',
        `=>\tgithub.com/fork/lib\tv1.0.1\t${h1('a')}`,
        `dep\tgolang.org/x/sys\tv0.1.0\t${h1('b')}`,
        'build\tGOOS=linux',
        'build\tvcs.revision=0123456789abcdef0123456789abcdef01234567',
        'build\tvcs.time=2023-01-02T03:04:05Z',
        'build\tvcs.modified=true',
        '',
      ].join('\n'),
    );
    const text = cycloneDx(
      { file: '/out/app', target: 'linux/amd64', sha256: '0'.repeat(64) },
      [{ ...info, goVersion: 'go1.23.4 X:nocoverageredesign', module: 'example.com/app' }],
      CTX,
    );
    expect(await validator.validate(text)).toBeNull();
    const bom = JSON.parse(text) as Bom;
    // Go before 1.24 stamps (devel): the version is the recorded commit's pseudo-version.
    expect(bom.metadata.component.purl).toBe(
      'pkg:golang/example.com/app@v0.0.0-20230102030405-0123456789ab+dirty#cmd/app',
    );
    expect(bom.components).toEqual([
      {
        'bom-ref': 'pkg:golang/github.com/fork/lib@v1.0.1',
        type: 'library',
        name: 'github.com/fork/lib',
        version: 'v1.0.1',
        scope: 'required',
        hashes: [{ alg: 'SHA-256', content: '61'.repeat(32) }],
        purl: 'pkg:golang/github.com/fork/lib@v1.0.1',
        properties: [
          { name: 'go-build-matrix:replaces', value: 'github.com/a/lib@v1.0.0' },
          { name: 'go-build-matrix:replaces', value: 'github.com/b/lib@v2.0.0' },
        ],
      },
      expect.objectContaining({
        name: 'golang.org/x/sys',
        hashes: [{ alg: 'SHA-256', content: '62'.repeat(32) }],
      }),
      expect.objectContaining({ name: 'std', version: 'go1.23.4', purl: 'pkg:golang/std@go1.23.4' }),
    ]);
  });

  it('encodes golang purls as the purl spec and cyclonedx-gomod do: case kept, the rest percent-encoded', () => {
    expect(golangPurl('github.com/BurntSushi/toml', 'v1.4.0')).toBe(
      'pkg:golang/github.com/BurntSushi/toml@v1.4.0',
    );
    expect(golangPurl('github.com/x/y', 'v2.0.0+incompatible')).toBe(
      'pkg:golang/github.com/x/y@v2.0.0+incompatible',
    );
    expect(golangPurl('example.com/a@b', null, 'cmd/a b')).toBe('pkg:golang/example.com/a%40b#cmd/a%20b');
  });
});
