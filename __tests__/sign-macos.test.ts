// macOS signing through the real engine: Go 1.26 and 1.27 darwin output signed by tools/macos-sign
// (quill, built here with the job's Go from the module proxy) with a Developer ID-shaped
// certificate chain made here by openssl, checked by our verifier; the universal binary is made of
// the signed slices; the manifest keeps the unsigned hash; a wrong password is one InputError; the
// notarization request goes to a local stand-in for Apple's notary API, its S3 upload and Apple's
// timestamp server (HTTPS_PROXY + SSL_CERT_FILE: quill's own client, unchanged, talks to it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  verify as verifySig,
} from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../src/options/errors.js';
import type { ArtifactEntry } from '../src/report/manifest.js';
import { renderSummary, renderTable } from '../src/report/summary.js';
import { sourceDir } from '../src/sign/macos-tool.js';
import { goSourceTool } from '../src/tools/go-tool.js';
import { verifyFile } from '../src/verify/index.js';
import type { EngineRun } from './support/engine.js';
import { build, copyModule, tempDir as newTempDir } from './support/engine.js';
import type { Toolchain } from './support/toolchains.js';
import { EXAMPLE_MODULE, goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';
import { signatureRange } from './verify/signing.js';

const run = promisify(execFile);

const DARWIN = ['darwin/amd64', 'darwin/arm64'];
const TEAM = 'TESTTEAM01';

/** Every temporary directory of this file, removed at its end. */
const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = newTempDir(prefix);
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** One tool cache for the file: the signer is built once, by the first build that needs it. */
const toolCache = tempDir('macos-tool-cache');

interface Identity {
  dir: string;
  caPem: string;
  caKey: string;
  base64: string;
  password: string;
  serial: string;
}

/**
 * A test root CA and a leaf code-signing certificate shaped like Apple's Developer ID Application
 * (OU = team identifier), packed with the root as a password-protected PKCS#12. quill wants a full
 * chain (or finds Apple's): a lone self-signed certificate is a CA, not a leaf, and it refuses it.
 */
async function makeIdentity(
  leafSubject = `/CN=Developer ID Application: Example (${TEAM})/OU=${TEAM}/O=Example`,
): Promise<Identity> {
  const dir = tempDir('macos-cert');
  const f = (n: string): string => path.join(dir, n);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=go-build-matrix test root/O=Example',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  ]);
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    leafSubject,
    '-keyout',
    f('leaf.key'),
    '-out',
    f('leaf.csr'),
  ]);
  writeFileSync(
    f('leaf.cnf'),
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,codeSigning\n',
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('leaf.cnf'),
    '-out',
    f('leaf.pem'),
  ]);
  const password = `pw-${randomBytes(12).toString('hex')}`;
  await run('openssl', [
    'pkcs12',
    '-export',
    '-inkey',
    f('leaf.key'),
    '-in',
    f('leaf.pem'),
    '-certfile',
    f('ca.pem'),
    '-out',
    f('id.p12'),
    '-passout',
    `pass:${password}`,
  ]);
  const serial = (await run('openssl', ['x509', '-in', f('leaf.pem'), '-noout', '-serial'])).stdout
    .trim()
    .replace(/^serial=/, '');
  return {
    dir,
    caPem: f('ca.pem'),
    caKey: f('ca.key'),
    base64: readFileSync(f('id.p12')).toString('base64'),
    password,
    serial,
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

function expectNoSecret(text: string, secrets: readonly string[]): void {
  for (const s of secrets) expect(text).not.toContain(s);
}

/** The slices of a fat Mach-O, by cputype. */
function fatSlices(b: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let i = 0; i < b.readUInt32BE(4); i++) {
    const at = 8 + 20 * i;
    const offset = b.readUInt32BE(at + 8);
    out.set(b.readUInt32BE(at), b.subarray(offset, offset + b.readUInt32BE(at + 12)));
  }
  return out;
}

/**
 * The CodeDirectory and the CMS signature of a thin Mach-O's code signature, so openssl can check
 * what our verifier does not: the RSA signature over the CodeDirectory and the chain to the root.
 */
function signatureBlobs(macho: Buffer): { codeDirectory: Buffer; cms: Buffer } {
  const at = signatureRange(macho);
  if (at === null) throw new Error('no LC_CODE_SIGNATURE');
  const sb = macho.subarray(at.offset, at.offset + at.size);
  const blob = (type: number): Buffer => {
    for (let i = 0; i < sb.readUInt32BE(8); i++) {
      if (sb.readUInt32BE(12 + 8 * i) !== type) continue;
      const offset = sb.readUInt32BE(16 + 8 * i);
      return sb.subarray(offset, offset + sb.readUInt32BE(offset + 4));
    }
    throw new Error(`no blob of type 0x${type.toString(16)}`);
  };
  return { codeDirectory: blob(0), cms: blob(0x10000).subarray(8) };
}

const darwinRequest = (goarch: string) => ({
  goos: 'darwin',
  goarch,
  variant: null,
  cgoEnabled: '0' as const,
  linkage: 'static' as const,
  maxGlibc: null,
  fips140: null,
  minMacos: null,
  minWindows: null,
});

function entry(r: EngineRun, target: string): ArtifactEntry {
  const a = r.manifest.artifacts.find((x) => x.target === target);
  if (a === undefined) throw new Error(`no ${target}`);
  return a;
}

async function signedBuild(
  tc: Toolchain,
  id: Identity,
  runnerTemp: string,
  extra: Record<string, string> = {},
  extraEnv: Record<string, string> = {},
): Promise<EngineRun> {
  const dir = tempDir(`macos-mod-${tc.release}`);
  copyModule(EXAMPLE_MODULE, dir);
  return build(
    tc,
    {
      'working-directory': dir,
      targets: [...DARWIN, 'linux/amd64'].join(' '),
      universal: 'true',
      upload: 'false',
      cache: 'false',
      sbom: 'cyclonedx',
      'output-dir': tempDir('macos-out'),
      'macos-certificate': id.base64,
      'macos-certificate-password': id.password,
      ...extra,
    },
    { RUNNER_TEMP: runnerTemp, RUNNER_TOOL_CACHE: toolCache, ...extraEnv },
  );
}

let id: Identity;
beforeAll(async () => {
  id = await makeIdentity();
});

describe.each(['1.26', '1.27'] as const)('Go %s darwin output, signed through the engine', (release) => {
  const tc = toolchain(release);
  let signed: EngineRun;
  let plain: EngineRun;
  const runnerTemp = tempDir('macos-runner-temp');

  beforeAll(async () => {
    signed = await signedBuild(tc, id, runnerTemp);
    const dir = tempDir(`macos-plain-${release}`);
    copyModule(EXAMPLE_MODULE, dir);
    plain = await build(tc, {
      'working-directory': dir,
      'output-dir': tempDir('macos-plain-out'),
      targets: [...DARWIN, 'linux/amd64'].join(' '),
      universal: 'true',
      upload: 'false',
      cache: 'false',
    });
  }, 900_000);

  it.each(DARWIN)('%s is Developer ID signed, and our verifier finds every page intact', async (target) => {
    const a = entry(signed, target);
    expect([a.status, a.error]).toEqual(['ok', null]);
    const file = path.resolve('/', a.path as string);
    const verdict = await verifyFile(file, darwinRequest(target.split('/')[1] as string));
    expect([verdict.ok, verdict.problems]).toEqual([true, []]);
    expect(verdict.signature).toMatchObject({
      kind: 'developer-id',
      team: TEAM,
      identifier: 'hello',
      hash: 'sha256',
    });
    expect(a.verify?.signature?.summary).toBe(`developer-id (team ${TEAM})`);
    // openssl: the CMS signature signs this CodeDirectory, by the leaf, chained to the test root.
    const { codeDirectory, cms } = signatureBlobs(readFileSync(file));
    const dir = tempDir('macos-cms');
    writeFileSync(path.join(dir, 'cd.bin'), codeDirectory);
    writeFileSync(path.join(dir, 'cms.der'), cms);
    const checked = await run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      path.join(dir, 'cms.der'),
      '-content',
      path.join(dir, 'cd.bin'),
      '-CAfile',
      id.caPem,
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ]);
    expect(checked.stderr).toContain('Verification successful');
  });

  it.each(DARWIN)(
    '%s: the manifest, checksums.txt, archive and SBOM describe the signed bytes; the unsigned hash is kept',
    async (target) => {
      const a = entry(signed, target);
      const bytes = readFileSync(path.resolve('/', a.path as string));
      expect(a.sha256).toBe(sha256(bytes));
      expect(a.signing?.sha256).toBe(a.sha256);
      const unsigned = entry(plain, target);
      expect(a.signing?.unsignedSha256).toBe(unsigned.sha256);
      expect(a.signing?.unsignedSize).toBe(unsigned.size);
      expect(a.sha256).not.toBe(unsigned.sha256);
      const checksums = readFileSync(path.resolve('/', signed.manifest.checksums as string), 'utf8');
      expect(checksums).toContain(`${a.sha256}  ${path.basename(a.path as string)}`);
      expect(checksums).not.toContain(unsigned.sha256 as string);
      const inner = (
        await run('tar', ['-xOzf', path.resolve('/', a.archive as string)], {
          encoding: 'buffer',
          maxBuffer: 64 << 20,
        })
      ).stdout;
      expect(sha256(inner)).toBe(a.sha256);
      const bom = readFileSync(path.resolve('/', (a.sboms ?? [])[0] as string), 'utf8');
      expect(bom).toContain(`"value": "${a.sha256 as string}"`);
      expect(a.signing).toMatchObject({
        kind: 'codesign',
        tool: expect.stringMatching(/^macos-sign \(quill v0\.0\.0-20260630015114-8310f3e9a321/),
        subject: expect.stringContaining(`OU=${TEAM}`),
        issuer: expect.stringContaining('CN=go-build-matrix test root'),
        serial: id.serial,
        team: TEAM,
        timestamp: null,
        timestampUrl: null,
        notarization: null,
      });
    },
  );

  it('the universal binary is made of the signed slices, whose signatures stay valid', async () => {
    const u = entry(signed, 'darwin/universal');
    expect([u.status, u.error]).toEqual(['ok', null]);
    const fat = readFileSync(path.resolve('/', u.path as string));
    const slices = fatSlices(fat);
    const thin = DARWIN.map((t) => readFileSync(path.resolve('/', entry(signed, t).path as string)));
    expect([...slices.values()].map(sha256).sort()).toEqual(thin.map(sha256).sort());
    expect(u.verify?.slices?.map((s) => s.signature?.summary)).toEqual([
      `developer-id (team ${TEAM})`,
      `developer-id (team ${TEAM})`,
    ]);
    const verdict = await verifyFile(path.resolve('/', u.path as string), darwinRequest('universal'));
    expect([verdict.ok, verdict.slices?.map((s) => s.signature?.kind)]).toEqual([
      true,
      ['developer-id', 'developer-id'],
    ]);
    // Without a certificate nothing changes: Go's own ad-hoc signature on arm64, none on amd64.
    const plainU = entry(plain, 'darwin/universal');
    expect(plainU.verify?.slices?.map((s) => s.signature?.kind)).toEqual(['none', 'adhoc']);
    expect(DARWIN.map((t) => entry(plain, t).signing)).toEqual([undefined, undefined]);
  });

  it('signs only darwin binaries, says per target what was signed with what, and leaves no secret behind', () => {
    const linux = entry(signed, 'linux/amd64');
    expect(linux.signing).toBeUndefined();
    expect(linux.sha256).toBe(entry(plain, 'linux/amd64').sha256);
    const summary = renderSummary(signed.manifest);
    const table = renderTable(signed.manifest);
    for (const text of [summary, table]) {
      for (const t of DARWIN) expect(text).toContain(t);
      expect(text).toContain(id.serial);
      expect(text).toContain('codesign');
    }
    expect(table).toContain(`team ${TEAM}`);
    const logs = signed.log.lines.map((l) => l.message).join('\n');
    const secrets = [id.password, id.base64.slice(0, 64)];
    expectNoSecret(logs + JSON.stringify(signed.manifest) + summary + table, secrets);
    for (const f of filesUnder(signed.outputDir)) expectNoSecret(readFileSync(f, 'latin1'), secrets);
    // The signer got the secrets as files in RUNNER_TEMP (its argv is in the debug log), now gone.
    const files = [...logs.matchAll(/"--(?:p12|password-file)","([^"]+)"/g)].map((m) => m[1] as string);
    expect(files.length).toBeGreaterThanOrEqual(2 * (DARWIN.length + 1));
    for (const f of files) {
      expect(f.startsWith(`${runnerTemp}${path.sep}`)).toBe(true);
      expect(existsSync(f)).toBe(false);
    }
    expect(readdirSync(runnerTemp)).toEqual([]);
  });
});

describe('signing inputs that cannot sign', () => {
  const tc = toolchain('1.27');

  const refused = async (
    identity: Identity,
    password: string,
  ): Promise<{ error: unknown; runnerTemp: string; outputDir: string }> => {
    const runnerTemp = tempDir('macos-runner-temp');
    const dir = tempDir('macos-refused');
    copyModule(EXAMPLE_MODULE, dir);
    const outputDir = tempDir('macos-refused-out');
    const error = await build(
      tc,
      {
        'working-directory': dir,
        'output-dir': outputDir,
        targets: 'darwin/arm64',
        upload: 'false',
        cache: 'false',
        'macos-certificate': identity.base64,
        'macos-certificate-password': password,
      },
      { RUNNER_TEMP: runnerTemp, RUNNER_TOOL_CACHE: toolCache },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    return { error, runnerTemp, outputDir };
  };

  it('a wrong password is one InputError on macos-certificate-password, before any build', async () => {
    const wrong = `${id.password}-wrong`;
    const { error, runnerTemp, outputDir } = await refused(id, wrong);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('macos-certificate-password');
    expectNoSecret((error as Error).message, [wrong, id.password]);
    expect(readdirSync(runnerTemp)).toEqual([]);
    expect(readdirSync(outputDir)).toEqual([]);
  }, 600_000);

  it('a certificate without a team (OU) is an InputError on macos-certificate', async () => {
    const noTeam = await makeIdentity('/CN=Not a Developer ID/O=Example');
    const { error } = await refused(noTeam, noTeam.password);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('macos-certificate');
    expect((error as Error).message).toContain('has no OU');
    expectNoSecret((error as Error).message, [noTeam.password, noTeam.base64.slice(0, 64)]);
  }, 600_000);

  it('a job Go too old to fetch Go 1.25 (1.19) is an InputError on macos-certificate that says so', async () => {
    const dir = tempDir('macos-old-go');
    copyModule(EXAMPLE_MODULE, dir);
    const error = await build(
      toolchain('1.19'),
      {
        'working-directory': dir,
        targets: 'darwin/arm64',
        upload: 'false',
        cache: 'false',
        ...signingInputs(),
      },
      { RUNNER_TEMP: tempDir('macos-runner-temp'), RUNNER_TOOL_CACHE: toolCache },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('macos-certificate');
    expect((error as Error).message).toMatch(/go build of .*tools\/macos-sign with go1\.19\.\d+ failed/);
    expect((error as Error).message).toContain('Go 1.25 or newer');
    expectNoSecret((error as Error).message, [id.password, id.base64.slice(0, 64)]);
  }, 300_000);

  it('notary inputs without a certificate, or only some of them, are InputErrors before anything runs', async () => {
    const dir = tempDir('macos-notary-inputs');
    const inputs = { 'working-directory': dir, targets: 'darwin/arm64', upload: 'false', cache: 'false' };
    const key = Buffer.from(notaryKey().pem).toString('base64');
    const cases: [Record<string, string>, string][] = [
      [
        { 'macos-notary-key': key, 'macos-notary-key-id': 'ABCDE12345', 'macos-notary-issuer': ISSUER },
        'macos-notary-key',
      ],
      [{ ...signingInputs(), 'macos-notary-key-id': 'ABCDE12345' }, 'macos-notary-key-id'],
      [
        {
          ...signingInputs(),
          'macos-notary-key': key,
          'macos-notary-key-id': 'abc',
          'macos-notary-issuer': ISSUER,
        },
        'macos-notary-key-id',
      ],
      [
        {
          ...signingInputs(),
          'macos-notary-key': 'bm90IGEga2V5',
          'macos-notary-key-id': 'ABCDE12345',
          'macos-notary-issuer': ISSUER,
        },
        'macos-notary-key',
      ],
      [
        {
          ...signingInputs(),
          'macos-notary-key': key,
          'macos-notary-key-id': 'ABCDE12345',
          'macos-notary-issuer': 'x',
        },
        'macos-notary-issuer',
      ],
      [{ 'macos-certificate-password': 'pw' }, 'macos-certificate-password'],
      [{ 'macos-certificate': 'not base64!' }, 'macos-certificate'],
    ];
    for (const [given, input] of cases) {
      const error = await build(tc, { ...inputs, ...given }).then(
        () => null,
        (e: unknown) => e,
      );
      expect([input, error instanceof InputError ? error.input : String(error)]).toEqual([input, input]);
    }
  }, 120_000);
});

describe('the signer in the tool cache', () => {
  it('is built once per source and Go, moved in whole, and reused', async () => {
    const tc = toolchain('1.26');
    const env = { ...goEnv(tc), RUNNER_TOOL_CACHE: toolCache };
    const req = {
      tool: { dir: sourceDir(), name: 'macos-sign' },
      go: tc.go,
      goVersion: 'go1.26.8',
      hostGoos: 'linux',
      hostGoarch: 'amd64',
      env,
    };
    const first = await goSourceTool(req);
    const again = await goSourceTool(req);
    expect(again).toEqual({ file: first.file, built: false });
    expect(path.relative(toolCache, first.file).split(path.sep)).toEqual([
      'go-build-matrix',
      'macos-sign',
      expect.stringMatching(/^src-[0-9a-f]{16}$/),
      'go1.26.8-linux-amd64',
      'macos-sign',
    ]);
    // Nothing half-built beside it.
    expect(readdirSync(path.dirname(first.file))).toEqual(['macos-sign']);
    expect(sourceDir()).toBe(path.join(REPO_ROOT, 'tools', 'macos-sign'));
  }, 600_000);
});

const ISSUER = '69a6de7e-1234-47e3-e053-5b8c7c11a4d1';
const KEY_ID = 'ABCDE12345';

let p8: { pem: string; publicKey: KeyObject } | null = null;
/** An App Store Connect-shaped API key: a P-256 key in PKCS#8 PEM, as the .p8 file holds it. */
function notaryKey(): { pem: string; publicKey: KeyObject } {
  if (p8 === null) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    p8 = { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey };
  }
  return p8;
}

function signingInputs(): Record<string, string> {
  return { 'macos-certificate': id.base64, 'macos-certificate-password': id.password };
}

interface Seen {
  submissions: { auth: string; body: { sha256: string; submissionName: string } }[];
  uploads: { path: string; body: Buffer; headers: http.IncomingHttpHeaders }[];
  timestamps: number;
  statusRequests: string[];
}

/**
 * Apple as quill sees it, on this machine: an HTTP proxy (HTTPS_PROXY, HTTP_PROXY) that answers
 * http://timestamp.apple.com with `openssl ts -reply`, and opens every CONNECT to
 * appstoreconnect.apple.com or *.amazonaws.com into a TLS server whose certificate the test CA
 * (SSL_CERT_FILE) signed: the notary API (submission, status, logs) and the S3 upload.
 */
async function startApple(
  verdict: 'Accepted' | 'Invalid',
): Promise<{ env: Record<string, string>; seen: Seen; close: () => Promise<void> }> {
  const dir = tempDir('macos-apple');
  const f = (n: string): string => path.join(dir, n);
  // One CA for the TLS servers and the TSA.
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=stand-in CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  ]);
  const hosts = [
    'appstoreconnect.apple.com',
    'notary-submissions-prod.s3.us-west-2.amazonaws.com',
    '*.s3.us-west-2.amazonaws.com',
    's3.us-west-2.amazonaws.com',
    'notary-artifacts-prod.s3.amazonaws.com',
  ];
  writeFileSync(
    f('tls.cnf'),
    `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}\nextendedKeyUsage=serverAuth\n`,
  );
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=appstoreconnect.apple.com',
    '-keyout',
    f('tls.key'),
    '-out',
    f('tls.csr'),
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('tls.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('tls.cnf'),
    '-out',
    f('tls.pem'),
  ]);
  writeFileSync(f('tsa.cnf'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=critical,timeStamping\n');
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=stand-in TSA',
    '-keyout',
    f('tsa.key'),
    '-out',
    f('tsa.csr'),
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('tsa.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('tsa.cnf'),
    '-out',
    f('tsa.pem'),
  ]);
  writeFileSync(f('serial'), '01\n');
  writeFileSync(
    f('ts.cnf'),
    `[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = ${f('serial')}\nsigner_cert = ${f('tsa.pem')}\nsigner_key = ${f('tsa.key')}\ncerts = ${f('ca.pem')}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha1, sha256, sha384, sha512\ness_cert_id_alg = sha256\naccuracy = secs:1\n`,
  );
  const seen: Seen = { submissions: [], uploads: [], timestamps: 0, statusRequests: [] };
  const json = (res: http.ServerResponse, body: unknown): void => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const body = (req: http.IncomingMessage): Promise<Buffer> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
    });
  const tls = https.createServer(
    { key: readFileSync(f('tls.key')), cert: readFileSync(f('tls.pem')) },
    (req, res) => {
      void body(req).then((data) => {
        const host = req.headers.host ?? '';
        const url = req.url ?? '';
        if (
          host.startsWith('appstoreconnect.apple.com') &&
          req.method === 'POST' &&
          url === '/notary/v2/submissions'
        ) {
          seen.submissions.push({
            auth: req.headers.authorization ?? '',
            body: JSON.parse(data.toString()) as Seen['submissions'][0]['body'],
          });
          return json(res, {
            data: {
              id: 'sub-0001',
              type: 'newSubmissions',
              attributes: {
                awsAccessKeyId: 'AKIDTEST',
                awsSecretAccessKey: 'secret',
                awsSessionToken: 'token',
                bucket: 'notary-submissions-prod',
                object: 'prefix/sub-0001.zip',
              },
            },
          });
        }
        if (host.includes('amazonaws.com') && req.method === 'PUT') {
          seen.uploads.push({ path: url, body: data, headers: req.headers });
          res.writeHead(200, { ETag: '"0123"' });
          return res.end();
        }
        if (
          host.startsWith('appstoreconnect.apple.com') &&
          req.method === 'GET' &&
          url === '/notary/v2/submissions/sub-0001'
        ) {
          seen.statusRequests.push(req.headers.authorization ?? '');
          return json(res, {
            data: {
              id: 'sub-0001',
              type: 'submissions',
              attributes: { status: verdict, name: 'x', createdDate: '2026-12-07T00:00:00Z' },
            },
          });
        }
        if (host.startsWith('appstoreconnect.apple.com') && url === '/notary/v2/submissions/sub-0001/logs') {
          return json(res, {
            data: {
              id: 'sub-0001',
              type: 'submissionsLog',
              attributes: { developerLogUrl: 'https://notary-artifacts-prod.s3.amazonaws.com/log.json' },
            },
          });
        }
        if (host.startsWith('notary-artifacts-prod') && url === '/log.json') {
          return json(res, {
            status: 'Invalid',
            issues: [
              {
                severity: 'error',
                message: 'The binary is not signed with a valid Developer ID certificate.',
              },
            ],
          });
        }
        res.writeHead(404);
        res.end(`stand-in: no ${req.method ?? ''} ${host}${url}`);
      });
    },
  );
  const proxy = http.createServer((req, res) => {
    // A plain-HTTP request through the proxy: only Apple's timestamp server is one.
    if (req.url?.startsWith('http://timestamp.apple.com/')) {
      void body(req).then(async (query) => {
        seen.timestamps++;
        writeFileSync(f('q.tsq'), query);
        await run('openssl', [
          'ts',
          '-reply',
          '-config',
          f('ts.cnf'),
          '-queryfile',
          f('q.tsq'),
          '-out',
          f('r.tsr'),
        ]);
        res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' });
        res.end(readFileSync(f('r.tsr')));
      });
      return;
    }
    res.writeHead(502);
    res.end();
  });
  proxy.on('connect', (req: http.IncomingMessage, socket: Socket) => {
    const host = (req.url ?? '').split(':')[0] ?? '';
    if (host === 'appstoreconnect.apple.com' || host.endsWith('.amazonaws.com')) {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      tls.emit('connection', socket);
      return;
    }
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    // The AWS SDK takes its roots from AWS_CA_BUNDLE when set (this machine sets it).
    env: {
      HTTPS_PROXY: url,
      HTTP_PROXY: url,
      NO_PROXY: '',
      SSL_CERT_FILE: f('ca.pem'),
      AWS_CA_BUNDLE: f('ca.pem'),
    },
    seen,
    close: () =>
      new Promise((resolve) => {
        proxy.closeAllConnections();
        tls.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

/** The body of an S3 PUT: plain, or the aws-chunked framing the SDK uses for trailing checksums. */
function s3Payload(upload: Seen['uploads'][0]): Buffer {
  if (!String(upload.headers['content-encoding'] ?? '').includes('aws-chunked')) return upload.body;
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = upload.body.indexOf('\r\n', at);
    const size = parseInt(upload.body.toString('latin1', at, eol).split(';')[0] as string, 16);
    if (size === 0) break;
    parts.push(upload.body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function jwtParts(auth: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signed: Buffer;
  signature: Buffer;
} {
  const [h, c, s] = auth.replace(/^Bearer /, '').split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>,
    signed: Buffer.from(`${h}.${c}`),
    signature: Buffer.from(s, 'base64url'),
  };
}

describe('notarization, against a local stand-in for Apple', () => {
  const tc = toolchain('1.27');

  it('signs with a secure timestamp, submits each darwin binary with a JWT of the API key, uploads it and takes the verdict', async () => {
    const apple = await startApple('Accepted');
    try {
      const key = notaryKey();
      const runnerTemp = tempDir('macos-runner-temp');
      const result = await signedBuild(
        tc,
        id,
        runnerTemp,
        {
          targets: 'darwin/arm64 linux/amd64',
          universal: 'false',
          'macos-notary-key': Buffer.from(key.pem).toString('base64'),
          'macos-notary-key-id': KEY_ID,
          'macos-notary-issuer': ISSUER,
        },
        apple.env,
      );
      const a = entry(result, 'darwin/arm64');
      expect([a.status, a.error]).toEqual(['ok', null]);
      expect(a.signing).toMatchObject({
        notarization: 'Accepted',
        timestampUrl: 'http://timestamp.apple.com/ts01',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      // quill signs in two passes (one to size the signature, one final), each timestamped.
      expect(apple.seen.timestamps).toBe(2);
      // The request: POST /notary/v2/submissions with an ES256 JWT of the key, naming the file's digest.
      expect(apple.seen.submissions).toHaveLength(1);
      const [sub] = apple.seen.submissions;
      const jwt = jwtParts(sub?.auth ?? '');
      expect(jwt.header).toEqual({ alg: 'ES256', kid: KEY_ID, typ: 'JWT' });
      expect(jwt.claims).toMatchObject({ iss: ISSUER, aud: 'appstoreconnect-v1', scope: ['/notary/v2'] });
      expect(
        verifySig('sha256', jwt.signed, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, jwt.signature),
      ).toBe(true);
      expect(createPublicKey(key.pem).export({ format: 'jwk' })).toEqual(
        key.publicKey.export({ format: 'jwk' }),
      );
      // The upload is a zip of the signed file as shipped, with the digest the submission named.
      const [upload] = apple.seen.uploads;
      expect(upload?.path).toMatch(/^\/(notary-submissions-prod\/)?prefix\/sub-0001\.zip/);
      const zip = s3Payload(upload as Seen['uploads'][0]);
      expect(sha256(zip)).toBe(sub?.body.sha256);
      const zipFile = path.join(tempDir('macos-zip'), 'upload.zip');
      writeFileSync(zipFile, zip);
      const inner = (await run('unzip', ['-p', zipFile], { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;
      expect(sha256(inner)).toBe(a.sha256);
      expect(apple.seen.statusRequests.length).toBeGreaterThanOrEqual(1);
      expect(entry(result, 'linux/amd64').signing).toBeUndefined();
      expect(renderSummary(result.manifest)).toContain('notarized (Accepted)');
      expectNoSecret(result.log.lines.map((l) => l.message).join('\n'), [
        key.pem.split('\n')[1] as string,
        id.password,
      ]);
      expect(readdirSync(runnerTemp)).toEqual([]);
    } finally {
      await apple.close();
    }
  }, 600_000);

  it("a rejection fails that target with Apple's log, never a silent skip; other targets ship", async () => {
    const apple = await startApple('Invalid');
    try {
      const runnerTemp = tempDir('macos-runner-temp');
      const result = await signedBuild(
        tc,
        id,
        runnerTemp,
        {
          targets: 'darwin/arm64 linux/amd64',
          universal: 'false',
          'macos-notary-key': Buffer.from(notaryKey().pem).toString('base64'),
          'macos-notary-key-id': KEY_ID,
          'macos-notary-issuer': ISSUER,
        },
        apple.env,
      );
      const a = entry(result, 'darwin/arm64');
      expect(a.status).toBe('verify-failed');
      expect(a.error).toMatch(
        /^notarization of darwin\/arm64 \(hello\) failed: Apple's notary service did not accept it/,
      );
      expect(a.error).toContain('Invalid');
      expect(a.error).toContain('not signed with a valid Developer ID certificate');
      expect(a.signing).toBeUndefined();
      expect(a.archive).toBeNull();
      expect(entry(result, 'linux/amd64').status).toBe('ok');
      expect(readdirSync(result.outputDir).filter((n) => n.includes('darwin'))).toEqual([]);
      expect(readdirSync(runnerTemp)).toEqual([]);
    } finally {
      await apple.close();
    }
  }, 600_000);
});

describe('the CLI (dist/cli.js)', () => {
  const tc = toolchain('1.26');
  const cli = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args],
        { env, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = (error as { code?: unknown } | null)?.code;
          resolve({ code: error ? (typeof code === 'number' ? code : -1) : 0, stdout, stderr });
        },
      );
    });

  it('takes the secrets from the environment only, finds tools/macos-sign beside dist/, and signs', async () => {
    for (const flag of ['--macos-certificate', '--macos-certificate-password', '--macos-notary-key']) {
      const refused = await cli(['build', flag, id.base64], goEnv(tc));
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`^error: ${flag} is not a flag: .*GO_BUILD_MATRIX_MACOS_`));
      expectNoSecret(refused.stdout + refused.stderr, [id.base64]);
    }
    const dir = tempDir('macos-cli');
    copyModule(EXAMPLE_MODULE, dir);
    const temp = tempDir('macos-cli-tmp');
    const out = tempDir('macos-cli-out');
    const r = await cli(
      [
        'build',
        '--working-directory',
        dir,
        '--targets',
        'darwin/arm64',
        '--output-dir',
        out,
        '--upload',
        'false',
        '--cache',
        'false',
        '--verbose',
      ],
      goEnv(tc, {
        TMPDIR: temp,
        RUNNER_TOOL_CACHE: toolCache,
        GO_BUILD_MATRIX_MACOS_CERTIFICATE: id.base64,
        GO_BUILD_MATRIX_MACOS_CERTIFICATE_PASSWORD: id.password,
      }),
    );
    expect([r.code, r.stderr]).toEqual([0, expect.not.stringMatching(/^error: /m)]);
    expect(r.stdout).toContain('signed darwin/arm64: codesign by macos-sign');
    expect(r.stdout).toContain(`team ${TEAM}`);
    expectNoSecret(r.stdout + r.stderr, [id.password, id.base64.slice(0, 64)]);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      artifacts: ArtifactEntry[];
    };
    expect(manifest.artifacts[0]?.signing?.serial).toBe(id.serial);
    expect(manifest.artifacts[0]?.verify?.signature?.kind).toBe('developer-id');
    // The secret files went to the OS temp directory, and are gone.
    expect(r.stderr).toContain(`"--p12","${temp}${path.sep}`);
    expect(readdirSync(temp).filter((n) => n.startsWith('go-build-matrix-signing-'))).toEqual([]);
  }, 600_000);
});
