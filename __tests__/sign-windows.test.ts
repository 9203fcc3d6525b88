// Authenticode signing of windows binaries through the real engine: Go 1.26 and 1.27 output signed
// by osslsigncode with a certificate made here by openssl, checked by osslsigncode and by our own
// verifier; checksums.txt, the SBOMs, the archives and the manifest describe the signed bytes while
// the manifest keeps the unsigned hash; a wrong password is one InputError; a local RFC 3161
// stand-in (openssl ts -reply behind node:http) proves the timestamp path; the secrets are found in
// no log line, output or file left behind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../src/options/errors.js';
import { parseOptions } from '../src/options/options.js';
import { handOff } from '../src/release/step.js';
import type { ArtifactEntry } from '../src/report/manifest.js';
import { renderSummary, renderTable } from '../src/report/summary.js';
import { verifyFile } from '../src/verify/index.js';
import type { EngineRun } from './support/engine.js';
import { build, copyModule, tempDir as newTempDir } from './support/engine.js';
import type { Toolchain } from './support/toolchains.js';
import { EXAMPLE_MODULE, goEnv, REPO_ROOT, toolchain } from './support/toolchains.js';
import { selfSigned } from './verify/signing.js';

const run = promisify(execFile);

const WINDOWS = ['windows/amd64', 'windows/arm64'];

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

interface Signer {
  dir: string;
  certPem: string;
  base64: string;
  password: string;
  serial: string;
}

/** A self-signed code-signing certificate and its key as a password-protected PKCS#12. */
async function makeSigner(): Promise<Signer> {
  const dir = tempDir('sign-cert');
  const p12 = path.join(dir, 'cert.p12');
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const { key, cert } = await selfSigned(
    dir,
    '/CN=go-build-matrix sign test/O=Example Signer',
    'codeSigning',
  );
  await run('openssl', [
    'pkcs12',
    '-export',
    '-inkey',
    key,
    '-in',
    cert,
    '-out',
    p12,
    '-passout',
    `pass:${password}`,
  ]);
  const serial = (await run('openssl', ['x509', '-in', cert, '-noout', '-serial'])).stdout
    .trim()
    .replace(/^serial=/, '');
  return { dir, certPem: cert, base64: readFileSync(p12).toString('base64'), password, serial };
}

/** An RFC 3161 server: each POSTed TimeStampReq answered by `openssl ts -reply` with a test TSA. */
async function startTsa(): Promise<{
  url: string;
  certPem: string;
  requests: () => number;
  close: () => Promise<void>;
}> {
  const dir = tempDir('sign-tsa');
  const { key, cert } = await selfSigned(dir, '/CN=go-build-matrix test TSA', 'critical,timeStamping');
  writeFileSync(path.join(dir, 'serial'), '01\n');
  const config = path.join(dir, 'tsa.cnf');
  writeFileSync(
    config,
    [
      '[ tsa ]',
      'default_tsa = tsa_config',
      '[ tsa_config ]',
      `serial = ${path.join(dir, 'serial')}`,
      `signer_cert = ${cert}`,
      `signer_key = ${key}`,
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'digests = sha1, sha256, sha384, sha512',
      'ess_cert_id_alg = sha256',
      'accuracy = secs:1',
      '',
    ].join('\n'),
  );
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      count++;
      const query = path.join(dir, `q${count}.tsq`);
      const reply = path.join(dir, `r${count}.tsr`);
      writeFileSync(query, Buffer.concat(chunks));
      run('openssl', ['ts', '-reply', '-config', config, '-queryfile', query, '-out', reply]).then(
        () => {
          res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' });
          res.end(readFileSync(reply));
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    certPem: cert,
    requests: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** `osslsigncode verify` with the test certificate (and TSA) as trust roots: exit 0 or its output. */
async function osslsigncodeVerify(file: string, certPem: string, tsaPem?: string): Promise<string> {
  const args = ['verify', '-CAfile', certPem, ...(tsaPem ? ['-TSA-CAfile', tsaPem] : []), '-in', file];
  const { stdout } = await run('osslsigncode', args);
  return stdout;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** The secrets in any form a leak could take: as given, and the password's bytes in the base64. */
function expectNoSecret(text: string, signer: Signer): void {
  expect(text).not.toContain(signer.password);
  expect(text).not.toContain(signer.base64.slice(0, 64));
}

async function signedBuild(
  tc: Toolchain,
  signer: Signer,
  runnerTemp: string,
  extra: Record<string, string> = {},
): Promise<EngineRun> {
  const dir = tempDir(`sign-mod-${tc.release}`);
  copyModule(EXAMPLE_MODULE, dir);
  return build(
    tc,
    {
      'working-directory': dir,
      targets: [...WINDOWS, 'linux/amd64'].join(' '),
      upload: 'false',
      cache: 'false',
      sbom: 'cyclonedx',
      'output-dir': tempDir('sign-out'),
      'windows-certificate': signer.base64,
      'windows-certificate-password': signer.password,
      ...extra,
    },
    { RUNNER_TEMP: runnerTemp },
  );
}

let signer: Signer;
beforeAll(async () => {
  signer = await makeSigner();
});

describe.each(['1.26', '1.27'] as const)('Go %s windows output, signed through the engine', (release) => {
  const tc = toolchain(release);
  let signed: EngineRun;
  let plain: EngineRun;
  const runnerTemp = tempDir('sign-runner-temp');

  beforeAll(async () => {
    signed = await signedBuild(tc, signer, runnerTemp);
    const dir = tempDir(`plain-mod-${release}`);
    copyModule(EXAMPLE_MODULE, dir);
    plain = await build(tc, {
      'working-directory': dir,
      'output-dir': tempDir('plain-out'),
      targets: [...WINDOWS, 'linux/amd64'].join(' '),
      upload: 'false',
      cache: 'false',
    });
  }, 600_000);

  const entry = (r: EngineRun, target: string): ArtifactEntry => {
    const a = r.manifest.artifacts.find((x) => x.target === target);
    if (a === undefined) throw new Error(`no ${target}`);
    return a;
  };

  it.each(WINDOWS)('%s verifies with osslsigncode and with our verifier', async (target) => {
    const a = entry(signed, target);
    expect(a.status).toBe('ok');
    const file = path.resolve('/', a.path as string);
    const out = await osslsigncodeVerify(file, signer.certPem);
    expect(out).toContain('Signature verification: ok');
    const verdict = await verifyFile(file, {
      goos: 'windows',
      goarch: target.split('/')[1] as string,
      variant: null,
      cgoEnabled: '0',
      linkage: 'static',
      maxGlibc: null,
      fips140: null,
      minMacos: null,
      minWindows: null,
    });
    expect([verdict.ok, verdict.problems, verdict.signature?.kind]).toEqual([true, [], 'authenticode']);
    expect(a.verify?.signature?.kind).toBe('authenticode');
  });

  it.each(WINDOWS)(
    '%s: the manifest, checksums.txt, archive and SBOM describe the signed bytes; the unsigned hash is kept',
    (target) => {
      const a = entry(signed, target);
      const bytes = readFileSync(path.resolve('/', a.path as string));
      expect(a.sha256).toBe(sha256(bytes));
      expect(a.size).toBe(bytes.length);
      expect(a.signing?.sha256).toBe(a.sha256);
      // The unsigned file is what a build without signing writes, byte for byte.
      const unsigned = entry(plain, target);
      expect(a.signing?.unsignedSha256).toBe(unsigned.sha256);
      expect(a.signing?.unsignedSize).toBe(unsigned.size);
      expect(a.sha256).not.toBe(unsigned.sha256);
      const checksums = readFileSync(path.resolve('/', signed.manifest.checksums as string), 'utf8');
      expect(checksums).toContain(`${a.sha256}  ${path.basename(a.path as string)}`);
      expect(checksums).not.toContain(unsigned.sha256 as string);
      const archive = path.resolve('/', a.archive as string);
      const inner = execFileSync('unzip', ['-p', archive], { maxBuffer: 64 * 1024 * 1024 });
      expect(sha256(inner)).toBe(a.sha256);
      const [sbom] = a.sboms ?? [];
      const bom = readFileSync(path.resolve('/', sbom as string), 'utf8');
      expect(bom).toContain(`"value": "${a.sha256 as string}"`);
      expect(bom).not.toContain(unsigned.sha256 as string);
      expect(a.signing).toMatchObject({
        kind: 'authenticode',
        subject: expect.stringContaining('CN=go-build-matrix sign test'),
        issuer: expect.stringContaining('CN=go-build-matrix sign test'),
        serial: signer.serial,
        timestamp: null,
      });
    },
  );

  it('the attestation subjects (and so the release) hold the archives of the signed files', async () => {
    const { subjects } = await handOff({
      manifest: signed.manifest,
      options: { ...parseOptions({ 'output-dir': signed.outputDir }, '/'), release: 'false' },
      baseDir: '/',
      env: {},
      log: signed.log,
      missing: [],
    });
    const lines = readFileSync(path.resolve('/', subjects), 'utf8');
    for (const t of WINDOWS) {
      const a = entry(signed, t);
      const archive = path.resolve('/', a.archive as string);
      expect(lines).toContain(`${sha256(readFileSync(archive))}  ${path.basename(archive)}\n`);
      const inner = execFileSync('unzip', ['-p', archive], { maxBuffer: 64 * 1024 * 1024 });
      expect(sha256(inner)).toBe(a.signing?.sha256);
    }
  });

  it('signs only windows binaries, and a build without signing inputs signs nothing', () => {
    expect(WINDOWS.map((t) => entry(signed, t).signing?.kind)).toEqual(['authenticode', 'authenticode']);
    const linux = entry(signed, 'linux/amd64');
    expect(linux.signing).toBeUndefined();
    expect(linux.sha256).toBe(entry(plain, 'linux/amd64').sha256);
    for (const t of WINDOWS) {
      expect(entry(plain, t).signing).toBeUndefined();
      expect(entry(plain, t).verify?.signature?.kind).toBe('none');
    }
  });

  it('says per target what was signed with what', () => {
    const summary = renderSummary(signed.manifest);
    const table = renderTable(signed.manifest);
    for (const text of [summary, table]) {
      for (const t of WINDOWS) expect(text).toContain(t);
      expect(text).toContain(signer.serial);
      expect(text).toContain('CN=go-build-matrix sign test');
      expect(text).toMatch(/osslsigncode \d+\.\d+/);
    }
    expect(summary).toMatch(/\| signed \| with \| subject \| issuer \| serial \| timestamp \|/);
  });

  it('leaves the secrets in no log line, output or file, and nothing in RUNNER_TEMP', () => {
    const logs = signed.log.lines.map((l) => l.message).join('\n');
    expectNoSecret(logs, signer);
    // osslsigncode got the secrets as files in RUNNER_TEMP (its argv is in the debug log), now gone.
    const files = [...logs.matchAll(/"-(?:pkcs12|readpass)","([^"]+)"/g)].map((m) => m[1] as string);
    expect(files.length).toBeGreaterThanOrEqual(2 * (WINDOWS.length + 1));
    for (const f of files) {
      expect(f.startsWith(`${runnerTemp}${path.sep}`)).toBe(true);
      expect(existsSync(f)).toBe(false);
    }
    expectNoSecret(JSON.stringify(signed.manifest), signer);
    expectNoSecret(renderSummary(signed.manifest) + renderTable(signed.manifest), signer);
    for (const f of filesUnder(signed.outputDir)) expectNoSecret(readFileSync(f, 'latin1'), signer);
    expect(readdirSync(runnerTemp)).toEqual([]);
  });
});

describe('signing inputs that cannot sign', () => {
  const tc = toolchain('1.27');

  it('a wrong password is one InputError on windows-certificate-password, before any build', async () => {
    const runnerTemp = tempDir('sign-runner-temp');
    const wrong = `${signer.password}-wrong`;
    const dir = tempDir('sign-wrong');
    copyModule(EXAMPLE_MODULE, dir);
    const outputDir = tempDir('sign-wrong-out');
    const error = await build(
      tc,
      {
        'working-directory': dir,
        'output-dir': outputDir,
        targets: 'windows/amd64',
        upload: 'false',
        cache: 'false',
        'windows-certificate': signer.base64,
        'windows-certificate-password': wrong,
      },
      { RUNNER_TEMP: runnerTemp },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('windows-certificate-password');
    expect((error as Error).message).not.toContain(wrong);
    expect((error as Error).message).not.toContain(signer.password);
    expect(readdirSync(runnerTemp)).toEqual([]);
    expect(readdirSync(outputDir).filter((f) => f.endsWith('.exe'))).toEqual([]);
  }, 300_000);

  it('without osslsigncode on PATH the inputs are an error that says how to install it', async () => {
    const bin = tempDir('sign-path');
    for (const tool of ['go', 'git']) {
      const found = execFileSync('sh', ['-c', `command -v ${tool}`], {
        encoding: 'utf8',
        env: { PATH: `${tc.binDir}:${process.env.PATH ?? ''}` },
      }).trim();
      symlinkSync(found, path.join(bin, tool));
    }
    const dir = tempDir('sign-nosigner');
    copyModule(EXAMPLE_MODULE, dir);
    const error = await build(
      tc,
      {
        'working-directory': dir,
        'output-dir': tempDir('sign-nosigner-out'),
        targets: 'windows/amd64',
        upload: 'false',
        cache: 'false',
        'windows-certificate': signer.base64,
        'windows-certificate-password': signer.password,
      },
      { PATH: bin, RUNNER_TEMP: tempDir('sign-runner-temp') },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('windows-certificate');
    expect((error as Error).message).toContain('apt-get install -y osslsigncode');
    expect((error as Error).message).toContain('brew install osslsigncode');
    expectNoSecret((error as Error).message, signer);
  }, 300_000);
});

describe('a signature that cannot be made', () => {
  it('fails its target (not shipped, nothing under its name) and no other', async () => {
    // A port nothing listens on: the timestamp cannot be had, so the signing fails.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const runnerTemp = tempDir('sign-runner-temp');
    const result = await signedBuild(toolchain('1.27'), signer, runnerTemp, {
      targets: 'windows/amd64 linux/amd64',
      'windows-timestamp-url': `http://127.0.0.1:${port}/`,
    });
    const [win, linux] = ['windows/amd64', 'linux/amd64'].map((t) =>
      result.manifest.artifacts.find((a) => a.target === t),
    );
    expect(win?.status).toBe('verify-failed');
    expect(win?.error).toMatch(/^Authenticode signing failed: osslsigncode \d+\.\d+ sign exited/);
    expect(win?.signing).toBeUndefined();
    expect(win?.archive).toBeNull();
    expect(linux?.status).toBe('ok');
    expect(readdirSync(result.outputDir).filter((f) => f.includes('windows'))).toEqual([]);
    expect(readdirSync(runnerTemp)).toEqual([]);
  }, 300_000);
});

describe('an RFC 3161 timestamp from a local stand-in', () => {
  const tc = toolchain('1.27');
  let tsa: Awaited<ReturnType<typeof startTsa>>;
  afterAll(async () => tsa?.close());

  it('timestamps each signature (osslsigncode -ts), verifiable, and the summary names it', async () => {
    tsa = await startTsa();
    const runnerTemp = tempDir('sign-runner-temp');
    const result = await signedBuild(tc, signer, runnerTemp, {
      targets: 'windows/amd64',
      'windows-timestamp-url': tsa.url,
    });
    const a = result.manifest.artifacts.find((x) => x.target === 'windows/amd64') as ArtifactEntry;
    expect(a.status).toBe('ok');
    expect(tsa.requests()).toBeGreaterThanOrEqual(1);
    const out = await osslsigncodeVerify(path.resolve('/', a.path as string), signer.certPem, tsa.certPem);
    expect(out).toContain('Timestamp Server Signature verification: ok');
    expect(out).toContain('Signature verification: ok');
    const stamped = /Timestamp time: (.*)\n/.exec(out)?.[1] ?? '';
    expect(a.signing?.timestamp).toBe(new Date(stamped).toISOString());
    expect(a.signing?.timestampUrl).toBe(tsa.url);
    const summary = renderSummary(result.manifest);
    expect(summary).toContain(a.signing?.timestamp as string);
    expect(summary).toContain(signer.serial);
    expect(readdirSync(runnerTemp)).toEqual([]);
  }, 300_000);
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

  it('takes the certificate and password from the environment only, and signs with them', async () => {
    const refused = await cli(['build', '--windows-certificate', signer.base64], goEnv(tc));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: --windows-certificate is not a flag: .*GO_BUILD_MATRIX_WINDOWS_CERTIFICATE/,
    );
    expectNoSecret(refused.stdout + refused.stderr, signer);

    const dir = tempDir('sign-cli');
    copyModule(EXAMPLE_MODULE, dir);
    const temp = tempDir('sign-cli-tmp');
    const out = tempDir('sign-cli-out');
    const r = await cli(
      [
        'build',
        '--working-directory',
        dir,
        '--targets',
        'windows/amd64',
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
        GO_BUILD_MATRIX_WINDOWS_CERTIFICATE: signer.base64,
        GO_BUILD_MATRIX_WINDOWS_CERTIFICATE_PASSWORD: signer.password,
      }),
    );
    expect([r.code, r.stderr]).toEqual([0, expect.not.stringMatching(/^error: /m)]);
    expect(r.stdout).toContain(`signed windows/amd64: authenticode by osslsigncode`);
    expectNoSecret(r.stdout + r.stderr, signer);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
      artifacts: ArtifactEntry[];
    };
    expect(manifest.artifacts[0]?.signing?.serial).toBe(signer.serial);
    for (const f of filesUnder(out)) expectNoSecret(readFileSync(f, 'latin1'), signer);
    // The secret files went to the OS temp directory, and are gone.
    expect(r.stderr).toContain(`"-pkcs12","${temp}${path.sep}`);
    expect(readdirSync(temp).filter((n) => n.startsWith('go-build-matrix-signing-'))).toEqual([]);
  }, 300_000);
});
