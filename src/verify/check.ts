// The verdict rules: compare what one (thin) executable says about itself with what the target requires.
import { variantMeaning } from '../targets/variants.js';
import type { Expectation } from './expect.js';
import { ppc64ElfAbis } from './expect.js';
import { checkFloor } from './floor-policy.js';
import type { Identity } from './identify.js';
import type { BuildInfoSummary, OsFloor, VerifyRequest } from './types.js';
import { compareVersions } from './versions.js';

export interface Findings {
  problems: string[];
  notes: string[];
}

export function check(
  id: Identity,
  bi: BuildInfoSummary | null,
  req: VerifyRequest,
  exp: Expectation | string,
  floor: OsFloor | null,
): Findings {
  const f: Findings = { problems: [...id.problems], notes: [] };
  const target = `${req.goos}/${req.goarch}`;
  if (typeof exp === 'string') f.problems.push(exp);
  else checkHeaders(id, req, exp, bi, f);
  checkBuildInfo(id, bi, req, f);
  checkLinkage(id, req, typeof exp === 'string' ? null : exp.alwaysDynamic, target, f);
  checkGlibc(id, req, f);
  f.problems.push(...checkFloor(id.floor, floor, id.arch, bi?.goVersion ?? null, req));
  return f;
}

function checkHeaders(
  id: Identity,
  req: VerifyRequest,
  exp: Expectation,
  bi: BuildInfoSummary | null,
  f: Findings,
): void {
  const archOk = id.arch === req.goarch && id.format === exp.format;
  const osOk = id.oses.includes(req.goos);
  if (!archOk || !osOk) {
    const os = id.oses.length > 0 ? id.oses.join('|') : '?';
    const why = osOk ? '' : `: the headers show ${id.osEvidence}`;
    f.problems.push(
      `built for ${os}/${id.arch ?? '?'} (${id.description}) but the target is ${req.goos}/${req.goarch} (${exp.description})${why}`,
    );
    return;
  }
  const abis = ppc64ElfAbis(req.goos, req.goarch, bi?.goVersion ?? null);
  if (id.elf && abis !== null && !abis.includes(id.elf.flags & 3)) {
    const by = bi?.goVersion ? ` when built by ${bi.goVersion}` : '';
    f.problems.push(
      `ELF e_flags ${id.elf.flags} name the PowerPC ELFv${id.elf.flags & 3} ABI but ${req.goos}/${req.goarch} uses ELFv${abis.join(' or ELFv')}${by}`,
    );
  }
}

function checkBuildInfo(id: Identity, bi: BuildInfoSummary | null, req: VerifyRequest, f: Findings): void {
  if (!bi) {
    f.problems.push('no Go build info found: not a Go executable, or stripped/truncated');
    return;
  }
  const s = bi.settings;
  const target = `${req.goos}/${req.goarch}`;
  const missing = (['GOOS', 'GOARCH'] as const).filter((k) => s[k] === undefined);
  if (missing.length > 0) {
    // Go 1.18 and later write both; an older Go writes neither, and a file with one of them was edited.
    f.notes.push(
      `build info (${bi.goVersion ?? 'unknown Go'}) records no ${missing.join(' or ')} (Go writes both since 1.18): only the headers were checked for ${missing.join(' and ')}`,
    );
  }
  const headers = { GOOS: id.oses, GOARCH: id.arch === null ? [] : [id.arch] };
  for (const [key, wanted] of [
    ['GOOS', req.goos],
    ['GOARCH', req.goarch],
  ] as const) {
    const recorded = s[key];
    if (recorded === undefined) continue;
    if (recorded !== wanted)
      f.problems.push(`build info says ${key}=${recorded} but the target is ${target}`);
    else if (headers[key].length > 0 && !headers[key].includes(recorded)) {
      f.problems.push(
        `build info says ${key}=${recorded} but the headers say ${headers[key].join('|')} (${id.description})`,
      );
    }
  }
  if (req.variant) {
    const { name, value } = req.variant;
    const recorded = s[name];
    if (recorded === undefined)
      f.problems.push(`build info records no ${name} but the target requires ${name}=${value}`);
    else if (!variantMatches(name, value, recorded)) {
      f.problems.push(`build info says ${name}=${recorded} but the target requires ${name}=${value}`);
    }
  }
  const cgo = s.CGO_ENABLED;
  if (cgo !== undefined && cgo !== req.cgoEnabled) {
    const meant = cgo === '1' ? 'a cgo build' : 'a pure Go build';
    f.problems.push(
      `build info says CGO_ENABLED=${cgo} but the target requires CGO_ENABLED=${req.cgoEnabled}: if it is meant to be ${meant}, ${setting(req, 'cgo-enabled', cgo)}`,
    );
  }
  checkMipsFloat(id, req, s, f);
  checkFips140(req, s, f);
}

/**
 * Go records GOFIPS140 only when it is not off, resolved to the module it linked: `latest`
 * stays, `v1.0.0` becomes `v1.0.0-<hash>`, and the aliases inprocess/certified become some version.
 */
function checkFips140(req: VerifyRequest, s: Record<string, string>, f: Findings): void {
  const wanted = req.fips140;
  if (wanted === undefined || wanted === null) return;
  const recorded = s.GOFIPS140;
  const matches =
    wanted === 'off'
      ? recorded === undefined
      : recorded !== undefined &&
        (wanted === 'latest'
          ? recorded === 'latest'
          : /^v\d/.test(wanted)
            ? recorded === wanted || recorded.startsWith(`${wanted}-`)
            : /^v\d/.test(recorded));
  if (!matches) {
    f.problems.push(
      `build info ${recorded === undefined ? 'records no GOFIPS140 (the FIPS 140 module is off)' : `says GOFIPS140=${recorded}`} but the build was given GOFIPS140=${wanted}`,
    );
  }
}

/** Build info records the value as typed, so values compare by meaning (`7` is `7,hardfloat`; `v8.1` has `lse`). */
export function variantMatches(name: string, required: string, recorded: string): boolean {
  return variantMeaning(name, required) === variantMeaning(name, recorded);
}

/** GOMIPS is the one variant with a header trace: `.MIPS.abiflags` fp_abi 3 means soft float. */
function checkMipsFloat(id: Identity, req: VerifyRequest, s: Record<string, string>, f: Findings): void {
  const fpAbi = id.elf?.mipsFpAbi;
  if (fpAbi === undefined || fpAbi === null || fpAbi === 0) return;
  const header = fpAbi === 3 ? 'softfloat' : 'hardfloat';
  const required = req.variant?.name === 'GOMIPS' ? req.variant.value : undefined;
  const wanted = required ?? s.GOMIPS;
  if (wanted !== undefined && wanted.split(',')[0] !== header) {
    f.problems.push(
      `the ELF .MIPS.abiflags say ${header} (fp_abi ${fpAbi}) but ${required !== undefined ? 'the target requires' : 'build info says'} GOMIPS=${wanted}`,
    );
  }
}

function checkLinkage(
  id: Identity,
  req: VerifyRequest,
  alwaysDynamic: string | null,
  target: string,
  f: Findings,
): void {
  const details = [
    ...(id.interpreter ? [`interpreter ${id.interpreter}`] : []),
    ...(id.needed.length > 0 ? [`needs ${id.needed.join(', ')}`] : []),
  ].join(', ');
  if (req.linkage === 'static' && id.linkage === 'dynamic') {
    if (alwaysDynamic) f.notes.push(`${alwaysDynamic} (${details})`);
    else if (id.format === 'pe') {
      const extra = id.needed.filter((d) => d.toLowerCase() !== 'kernel32.dll');
      f.problems.push(
        `imports ${extra.join(', ')} besides kernel32.dll: it is linked against the C runtime (cgo), not static; build with CGO_ENABLED=0 or allow dynamic linkage (${setting(req, 'linkage', 'dynamic')})`,
      );
    } else {
      const pie = id.interpreter !== null && id.needed.length === 0 ? ' and without -buildmode=pie' : '';
      f.problems.push(
        `dynamically linked (${details}) but ${target} must be static: build with CGO_ENABLED=0${pie}, link statically (-ldflags '-linkmode external -extldflags -static'), or allow dynamic linkage (${setting(req, 'linkage', 'dynamic')})`,
      );
    }
  } else if (req.linkage === 'dynamic' && id.linkage === 'static') {
    f.problems.push(
      `statically linked but ${target} must be dynamically linked: build it with cgo (CGO_ENABLED=1), or allow static linkage (${setting(req, 'linkage', 'static')})`,
    );
  }
  if (id.format === 'pe' && id.linkage === 'static' && id.needed.length > 0) {
    f.notes.push('windows executables always import kernel32.dll: Go loads every other DLL at run time');
  }
}

/** The fix as the caller spells it: `verify with --linkage dynamic` (CLI) or `set the input linkage: dynamic`. */
function setting(req: VerifyRequest, input: string, value: string): string {
  return req.settingsAre === 'flags' ? `verify with --${input} ${value}` : `set the input ${input}: ${value}`;
}

function checkGlibc(id: Identity, req: VerifyRequest, f: Findings): void {
  if (id.glibc.length > 0) {
    f.notes.push(`needs glibc symbol versions ${[...new Set(id.glibc)].sort(compareVersions).join(', ')}`);
  }
  if (req.maxGlibc === null) return;
  if (!/^\d+(\.\d+)*$/.test(req.maxGlibc)) {
    f.problems.push(`max-glibc ${req.maxGlibc} is not a version like 2.17`);
    return;
  }
  const highest = highestGlibc(id.glibc);
  if (highest !== null && compareVersions(highest, req.maxGlibc) > 0) {
    f.problems.push(
      `needs glibc ${highest} (GLIBC_${highest} symbol versions) but at most ${req.maxGlibc} is allowed, so it will not start on older systems: build with CGO_ENABLED=0, on an older distribution or against an older sysroot, with a musl toolchain, or link statically (-ldflags '-linkmode external -extldflags -static')`,
    );
  }
}

export function highestGlibc(versions: string[]): string | null {
  return versions.reduce<string | null>(
    (max, v) => (max === null || compareVersions(v, max) > 0 ? v : max),
    null,
  );
}
