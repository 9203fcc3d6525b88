// The Windows signing stage: after a windows binary is built, verified and smoke-tested and
// before anything archives, hashes or ships it, it is Authenticode-signed and verified again.
// The certificate and its password exist on disk only while the build runs: 0600 files in a
// 0700 directory of RUNNER_TEMP (the OS temp dir outside Actions), removed in dispose().
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BuildJob } from '../compile/plan.js';
import type { VerifyPolicy } from '../verify/stage.js';
import { verifyBuilt } from '../verify/stage.js';
import type { Logger } from '../log.js';
import type { SigningRecord } from '../report/manifest.js';
import type { VerifyResult } from '../verify/index.js';
import { failedVerdict } from '../verify/index.js';
import type { KeyFiles, Osslsigncode } from './osslsigncode.js';
import { checkKey, findOsslsigncode, readSigner, signFile } from './osslsigncode.js';
import type { WindowsSigning } from './windows-inputs.js';

/** What the stage needs from the run. */
export interface WindowsSigningContext {
  readonly signing: WindowsSigning;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
}

/** A signed file: its new bytes, the verdict on them, and what the manifest says of the signing. */
export interface SignedBinary {
  readonly bytes: Buffer;
  readonly verify: VerifyResult;
  /** null when signing failed (the verdict says why). */
  readonly record: SigningRecord | null;
}

export interface WindowsSigner {
  /** Signs `job.output` in place; a signing or verdict that fails is a failed verdict, not a throw. */
  sign(job: BuildJob, unsigned: Buffer, policy: VerifyPolicy): Promise<SignedBinary>;
  /** Removes the secret files. */
  dispose(): Promise<void>;
}

/** The environment osslsigncode gets: the job's, less the CLI's secret variables. */
function toolEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (v !== undefined && !k.startsWith('GO_BUILD_MATRIX_WINDOWS_CERTIFICATE')) out[k] = v;
  return out;
}

/**
 * The stage's one entry: checks the signer and the certificate before any build (a missing
 * osslsigncode or a wrong password is one error on its input), then signs target by target.
 */
export async function prepareWindowsSigner(ctx: WindowsSigningContext): Promise<WindowsSigner> {
  const { signing } = ctx;
  const certificateText = signing.certificate.toString('base64');
  const tool = await findOsslsigncode(toolEnv(ctx.env), certificateText);
  const dir = await mkdtemp(path.join(ctx.env.RUNNER_TEMP || os.tmpdir(), 'go-build-matrix-signing-'));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const keys: KeyFiles = {
      pkcs12: path.join(dir, 'certificate.p12'),
      passwordFile: path.join(dir, 'password'),
    };
    // 'wx': a file someone else placed there is never written through.
    await writeFile(keys.pkcs12, signing.certificate, { mode: 0o600, flag: 'wx' });
    await writeFile(keys.passwordFile, signing.password, { mode: 0o600, flag: 'wx' });
    await checkKey(tool, keys, dir, certificateText, signing.password);
    ctx.log.info(
      `Windows binaries are Authenticode-signed with ${tool.version}${signing.timestampUrl === null ? ', not timestamped' : `, timestamped by ${signing.timestampUrl}`}.`,
    );
    return { sign: (job, unsigned, policy) => signOne(tool, keys, signing, job, unsigned, policy), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function signOne(
  tool: Osslsigncode,
  keys: KeyFiles,
  signing: WindowsSigning,
  job: BuildJob,
  unsigned: Buffer,
  policy: VerifyPolicy,
): Promise<SignedBinary> {
  const base = {
    tool: tool.version,
    unsignedSha256: createHash('sha256').update(unsigned).digest('hex'),
    unsignedSize: unsigned.length,
    timestampUrl: signing.timestampUrl,
  };
  const temp = `${job.output}.signing-${process.pid}`;
  try {
    await signFile(tool, keys, job.output, temp, signing.timestampUrl);
    const bytes = await readFile(temp);
    // Right after signing, before the file takes its name: the PE verdict must still hold and
    // the signature must sign these very bytes.
    const verify = await verifyBuilt(job, bytes, policy);
    if (verify.ok && verify.signature?.kind !== 'authenticode')
      verify.problems.push(
        `after signing, its signature is ${verify.signature?.summary ?? 'not read'}, not a valid Authenticode signature`,
      );
    if (verify.problems.length > 0) verify.ok = false;
    if (!verify.ok) throw new Error(`the signed file does not verify: ${verify.problems.join(' ')}`);
    const signer = await readSigner(tool, temp);
    await rename(temp, job.output);
    return {
      bytes,
      verify,
      record: {
        kind: 'authenticode',
        ...base,
        ...signer,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: bytes.length,
      },
    };
  } catch (err) {
    await rm(temp, { force: true });
    const problem = `Authenticode signing failed: ${(err as Error).message}`;
    return { bytes: unsigned, verify: failedVerdict(problem), record: null };
  }
}
