// osslsigncode, the Authenticode signer: found on PATH, its version checked, run as argv arrays.
// It reads the certificate and its password from files (-pkcs12, -readpass), never from its
// command line, which the debug log and `ps` show.
import { describeFailure, run } from '../exec.js';
import { InputError } from '../options/errors.js';
import { findOnPath } from '../which.js';
import { secretShown } from './windows-inputs.js';

/** The oldest release checked here (Debian 12's): -pkcs12, -readpass and RFC 3161 -ts as used below. */
const MINIMUM: readonly [number, number] = [2, 5];

export const INSTALL_HINT =
  "install osslsigncode before this step: 'sudo apt-get install -y osslsigncode' on ubuntu runners, 'brew install osslsigncode' on macOS runners, 'C:\\msys64\\usr\\bin\\pacman -S --noconfirm mingw-w64-ucrt-x86_64-osslsigncode' (then add C:\\msys64\\ucrt64\\bin to PATH) on windows runners";

export interface Osslsigncode {
  readonly path: string;
  /** e.g. 'osslsigncode 2.9'. */
  readonly version: string;
  readonly env: Record<string, string>;
}

/** Where the secret files lie. */
export interface KeyFiles {
  readonly pkcs12: string;
  readonly passwordFile: string;
}

/** The signer on PATH, at least MINIMUM; otherwise an error on the input that asked for signing. */
export async function findOsslsigncode(
  env: Record<string, string>,
  certificateText: string,
): Promise<Osslsigncode> {
  const name = process.platform === 'win32' ? 'osslsigncode.exe' : 'osslsigncode';
  const found = findOnPath(name, env);
  const refuse = (why: string): never => {
    throw new InputError('windows-certificate', secretShown(certificateText), `${why}; ${INSTALL_HINT}.`);
  };
  if (found === null) return refuse('Signing windows binaries needs osslsigncode, and it is not on PATH');
  const result = await run([found, '--version'], { cwd: process.cwd(), env, timeoutMs: 30_000 });
  const match = /osslsigncode (\d+)\.(\d+)/.exec(result.stdout + result.stderr);
  if (match === null)
    return refuse(
      `${found} --version did not name an osslsigncode release (${describeFailure('it', result)})`,
    );
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1]))
    refuse(`${found} is osslsigncode ${major}.${minor}, older than ${MINIMUM.join('.')}`);
  return { path: found, version: `osslsigncode ${major}.${minor}`, env };
}

/**
 * Opens the certificate the way every signing will, before any build: osslsigncode reads the key
 * before its input file, so signing a file that is not there fails on the key first when the
 * key cannot be read, and on the file otherwise.
 */
export async function checkKey(
  tool: Osslsigncode,
  keys: KeyFiles,
  dir: string,
  certificateText: string,
  password: string,
): Promise<void> {
  const absent = `${dir}/absent.exe`;
  const result = await run(
    [
      tool.path,
      'sign',
      '-pkcs12',
      keys.pkcs12,
      '-readpass',
      keys.passwordFile,
      '-in',
      absent,
      '-out',
      `${absent}.signed`,
    ],
    { cwd: dir, env: tool.env, timeoutMs: 60_000 },
  );
  const said = result.stdout + result.stderr;
  if (/mac verify failure|Wrong password/i.test(said))
    throw new InputError(
      'windows-certificate-password',
      secretShown(password),
      "It does not open 'windows-certificate' (the PKCS#12 file's integrity check fails with it); set the password the .pfx was exported with.",
    );
  if (/Failed to read key or certificates|Failed to parse PKCS#12/i.test(said))
    throw new InputError(
      'windows-certificate',
      secretShown(certificateText),
      `${tool.version} cannot read a certificate and key from it: it must be the base64 of a PKCS#12 (.pfx) file holding the code-signing certificate and its private key.`,
    );
  if (result.spawnError !== null) throw new Error(describeFailure(tool.version, result));
}

/** Signs `input` into `output` (sha256 digest, timestamped when `timestampUrl` is given). */
export async function signFile(
  tool: Osslsigncode,
  keys: KeyFiles,
  input: string,
  output: string,
  timestampUrl: string | null,
): Promise<void> {
  const argv = [tool.path, 'sign', '-pkcs12', keys.pkcs12, '-readpass', keys.passwordFile, '-h', 'sha256'];
  if (timestampUrl !== null) argv.push('-ts', timestampUrl);
  argv.push('-in', input, '-out', output);
  const result = await run(argv, { cwd: process.cwd(), env: tool.env, timeoutMs: 300_000 });
  if (result.exitCode !== 0)
    throw new Error(
      `${describeFailure(`${tool.version} sign`, result)}: ${lastLines(result.stdout + result.stderr)}`,
    );
}

export interface SignerFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  /** The RFC 3161 countersignature's time (ISO 8601), null when not timestamped. */
  readonly timestamp: string | null;
}

/**
 * Who signed `file`, as osslsigncode reads it back from the signature. Its exit status also judges
 * the certificate chain against the system's roots, which is not ours to judge: the digest is
 * checked by our own verifier.
 */
export async function readSigner(tool: Osslsigncode, file: string): Promise<SignerFacts> {
  const result = await run([tool.path, 'verify', '-in', file], {
    cwd: process.cwd(),
    env: tool.env,
    timeoutMs: 120_000,
  });
  const text = result.stdout;
  const signer = /Signer's certificate:[\s\S]*?Subject: ?(.*)\n\s*Issuer ?: ?(.*)\n\s*Serial ?: ?(.*)\n/.exec(
    text,
  );
  if (signer === null)
    throw new Error(`${tool.version} verify names no signer of ${file}: ${lastLines(text + result.stderr)}`);
  const time = /Timestamp time: (.*)\n/.exec(text)?.[1];
  return {
    subject: (signer[1] ?? '').trim(),
    issuer: (signer[2] ?? '').trim(),
    serial: (signer[3] ?? '').trim(),
    timestamp: time === undefined ? null : new Date(time.trim()).toISOString(),
  };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' ').trim();
}
