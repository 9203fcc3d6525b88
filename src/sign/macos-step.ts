// The macOS signing stage: with 'macos-certificate', every darwin binary is signed with its
// Developer ID right after it is built, verified and smoke-tested, before anything archives,
// hashes or ships it, and before `universal` puts it in a fat file; then verified again and,
// with 'macos-notary-key', notarized. Without a certificate nothing runs: Go's linker already
// signs darwin/arm64 ad hoc, and darwin/amd64 needs no signature to run.
// The secrets exist on disk only while the build runs: 0600 files in a 0700 directory of
// RUNNER_TEMP (the OS temp dir outside Actions), removed in dispose().
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BuildJob } from '../compile/plan.js';
import type { VerifyPolicy } from '../verify/stage.js';
import { verifyBuilt } from '../verify/stage.js';
import type { Toolchain } from '../go/toolchain.js';
import type { Logger } from '../log.js';
import { InputError } from '../options/errors.js';
import { failedVerdict } from '../verify/index.js';
import type { MacosSigning } from './macos-inputs.js';
import type { MacosSignerFacts, MacosTool } from './macos-tool.js';
import { GoToolError } from '../tools/go-tool.js';
import { callTool, macosTool, QUILL, TOOL_NAME } from './macos-tool.js';
import { secretShown } from './windows-inputs.js';
import type { SignedBinary } from './windows-step.js';

/** Apple's RFC 3161 server: notarization requires a secure timestamp from it. */
export const APPLE_TIMESTAMP_URL = 'http://timestamp.apple.com/ts01';

/** What the stage needs from the run. */
export interface MacosSigningContext {
  readonly signing: MacosSigning;
  /** The job's environment (RUNNER_TEMP, the proxy settings the notary requests go through). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The job's Go, which builds the signer. */
  readonly toolchain: Pick<Toolchain, 'version' | 'goroot' | 'hostGoos' | 'hostGoarch'>;
  readonly log: Logger;
}

export interface MacosSigner {
  /** Signs `job.output` in place; a signing, verdict or notarization that fails is a failed verdict, not a throw. */
  sign(job: BuildJob, unsigned: Buffer, policy: VerifyPolicy): Promise<SignedBinary>;
  /** Removes the secret files. */
  dispose(): Promise<void>;
}

interface Secrets {
  readonly p12: string;
  readonly passwordFile: string;
  readonly notaryKey: string | null;
}

/** The environment the signer gets: the job's, less the CLI's secret variables. */
function toolEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (v !== undefined && !k.startsWith('GO_BUILD_MATRIX_MACOS_')) out[k] = v;
  return out;
}

/**
 * The stage's one entry: builds the signer and opens the certificate before any build (a wrong
 * password, a certificate without a Developer ID chain or a signer that cannot be built is one
 * error on its input), then signs target by target.
 */
export async function prepareMacosSigner(ctx: MacosSigningContext): Promise<MacosSigner> {
  const { signing, toolchain } = ctx;
  const certificateText = signing.certificate.toString('base64');
  const env = toolEnv(ctx.env);
  const exe = toolchain.hostGoos === 'windows' ? '.exe' : '';
  let tool: MacosTool;
  try {
    const made = await macosTool({
      go: path.join(toolchain.goroot, 'bin', `go${exe}`),
      goVersion: toolchain.version,
      hostGoos: toolchain.hostGoos,
      hostGoarch: toolchain.hostGoarch,
      env,
    });
    tool = made.tool;
    ctx.log.debug(`${made.built ? 'built' : 'reused'} ${tool.path}`);
  } catch (err) {
    if (!(err instanceof GoToolError)) throw err;
    throw new InputError(
      'macos-certificate',
      secretShown(certificateText),
      `Signing darwin binaries needs the signer tools/${TOOL_NAME}, built with the job's Go from the Go module proxy, and that failed: ${err.message}. It needs a Go that can fetch Go 1.25 or newer (Go 1.21 and later do, with GOTOOLCHAIN=auto) and the module proxy.`,
    );
  }
  const dir = await mkdtemp(path.join(ctx.env.RUNNER_TEMP || os.tmpdir(), 'go-build-matrix-signing-'));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const secrets: Secrets = {
      p12: path.join(dir, 'certificate.p12'),
      passwordFile: path.join(dir, 'password'),
      notaryKey: signing.notary === null ? null : path.join(dir, 'notary-key.p8'),
    };
    // 'wx': a file someone else placed there is never written through.
    await writeFile(secrets.p12, signing.certificate, { mode: 0o600, flag: 'wx' });
    await writeFile(secrets.passwordFile, signing.password, { mode: 0o600, flag: 'wx' });
    if (secrets.notaryKey !== null && signing.notary !== null)
      await writeFile(secrets.notaryKey, signing.notary.key, { mode: 0o600, flag: 'wx' });
    const facts = await checkCertificate(tool, secrets, certificateText, signing.password);
    ctx.log.info(
      `darwin binaries are signed with ${TOOL_NAME} (${QUILL}) as ${facts.subject} (team ${facts.team})${signing.notary === null ? ', not notarized' : `, timestamped by ${APPLE_TIMESTAMP_URL} and notarized with API key ${signing.notary.keyId}`}.`,
    );
    return {
      sign: (job, unsigned, policy) => signOne(tool, secrets, signing, facts, job, unsigned, policy),
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** Opens the PKCS#12 the way every signing will; its problems are errors on the inputs. */
async function checkCertificate(
  tool: MacosTool,
  secrets: Secrets,
  certificateText: string,
  password: string,
): Promise<MacosSignerFacts> {
  const answer = await callTool(
    tool,
    ['check', '--p12', secrets.p12, '--password-file', secrets.passwordFile],
    60_000,
  );
  if (answer.problem === 'password')
    throw new InputError(
      'macos-certificate-password',
      secretShown(password),
      "It does not open 'macos-certificate' (the PKCS#12 file's integrity check fails with it); set the password the .p12 was exported with.",
    );
  if (answer.problem !== undefined || answer.signer === undefined)
    throw new InputError(
      'macos-certificate',
      secretShown(certificateText),
      `${TOOL_NAME} cannot sign with it (${answer.message ?? 'no signer'}): it must be the base64 of a PKCS#12 (.p12) file holding a Developer ID Application certificate with its private key, and its chain unless Apple's (quill carries Apple's intermediates and roots).`,
    );
  if (answer.signer.team === '')
    throw new InputError(
      'macos-certificate',
      secretShown(certificateText),
      `Its certificate (${answer.signer.subject}) has no OU, the team identifier a Developer ID Application certificate carries and macOS checks; export the Developer ID Application certificate.`,
    );
  return answer.signer;
}

async function signOne(
  tool: MacosTool,
  secrets: Secrets,
  signing: MacosSigning,
  facts: MacosSignerFacts,
  job: BuildJob,
  unsigned: Buffer,
  policy: VerifyPolicy,
): Promise<SignedBinary> {
  const timestampUrl = signing.notary === null ? null : APPLE_TIMESTAMP_URL;
  const temp = `${job.output}.signing-${process.pid}`;
  let stage = 'macOS signing';
  try {
    await writeFile(temp, unsigned, { mode: 0o755 });
    const argv = [
      'sign',
      '--identity',
      job.name,
      '--p12',
      secrets.p12,
      '--password-file',
      secrets.passwordFile,
    ];
    if (timestampUrl !== null) argv.push('--timestamp-url', timestampUrl);
    const answer = await callTool(tool, [...argv, temp], 300_000);
    if (answer.problem !== undefined || answer.signer === undefined)
      throw new Error(`${TOOL_NAME} sign: ${answer.message ?? 'no answer'}`);
    const bytes = await readFile(temp);
    // Right after signing: the Mach-O verdict must still hold, every page must match its hash,
    // and the signature must be a Developer ID one of this certificate's team.
    const verify = await verifyBuilt(job, bytes, policy);
    const sig = verify.signature;
    if (verify.ok && (sig?.kind !== 'developer-id' || sig.team !== facts.team))
      verify.problems.push(
        `after signing, its signature is ${sig?.summary ?? 'not read'}, not a valid Developer ID signature of team ${facts.team}`,
      );
    if (verify.problems.length > 0) verify.ok = false;
    if (!verify.ok) throw new Error(`the signed file does not verify: ${verify.problems.join(' ')}`);
    let notarization: string | null = null;
    if (signing.notary !== null && secrets.notaryKey !== null) {
      stage = `notarization of ${job.target.id} (${job.name})`;
      const n = signing.notary;
      const said = await callTool(
        tool,
        ['notarize', '--key-file', secrets.notaryKey, '--key-id', n.keyId, '--issuer', n.issuer, temp],
        20 * 60_000,
      );
      if (said.problem !== undefined || said.status !== 'Accepted')
        throw new Error(
          `Apple's notary service did not accept it${said.status ? ` (${said.status})` : ''}: ${said.message ?? 'no answer'}`,
        );
      notarization = said.status;
    }
    await rename(temp, job.output);
    return {
      bytes,
      verify,
      record: {
        kind: 'codesign',
        tool: `${TOOL_NAME} (${QUILL})`,
        unsignedSha256: createHash('sha256').update(unsigned).digest('hex'),
        unsignedSize: unsigned.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: bytes.length,
        subject: facts.subject,
        issuer: facts.issuer,
        serial: facts.serial,
        team: facts.team,
        timestamp:
          answer.signer.timestamp === undefined ? null : new Date(answer.signer.timestamp).toISOString(),
        timestampUrl,
        notarization,
      },
    };
  } catch (err) {
    await rm(temp, { force: true });
    return {
      bytes: unsigned,
      verify: failedVerdict(`${stage} failed: ${(err as Error).message}`),
      record: null,
    };
  }
}
