// Which signatures fail a target: a broken one always; a missing one on darwin/arm64, where the kernel
// refuses to run unsigned code (Go's linker signs those files ad hoc, so only a later change removes it).
import type { Signature } from './types.js';

const RESIGN =
  'leave the file as `go build` wrote it (strip, upx and edited bytes can break or remove the signature), or sign it again after the last change: `codesign --force --sign - FILE` on macOS, `rcodesign sign FILE` or `quill sign FILE` elsewhere';

export function signatureProblems(
  sig: Signature | null,
  format: 'pe' | 'macho',
  goos: string,
  arch: string | null,
): string[] {
  if (sig === null) return [];
  if (sig.kind === 'invalid') {
    if (format === 'pe')
      return [
        `${sig.reason ?? sig.summary}: Windows treats a broken signature as worse than none; sign the file again after its last change`,
      ];
    const launch =
      arch === 'arm64' ? 'macOS kills it at launch' : 'macOS refuses a file whose signature is broken';
    return [
      `the code signature does not match the file (${sig.reason ?? sig.summary}): ${launch}; ${RESIGN}`,
    ];
  }
  if (sig.kind === 'none' && goos === 'darwin' && arch === 'arm64') {
    return [`no code signature (LC_CODE_SIGNATURE): macOS kills it at launch on Apple Silicon; ${RESIGN}`];
  }
  return [];
}
