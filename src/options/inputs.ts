/**
 * Every input of the action, in one table: the action reads exactly these with core.getInput,
 * the CLI offers each as a `--kebab-case` flag (but for the two that say `cli`), and tests check
 * that action.yml, README's table and the CLI's help declare the same names and defaults.
 */
export interface InputDefinition {
  readonly name: string;
  /** The default as action.yml declares it ('' when the engine derives it). */
  readonly default: string;
  readonly description: string;
  /** Its whole value set is 'true'/'false': the CLI takes it bare (`--badge`) or negated (`--no-badge`). */
  readonly boolean?: true;
  /** A choice that includes 'true' (`release: draft`): the CLI flag given bare means 'true'. */
  readonly bareTrue?: true;
  /**
   * A list: a repeated CLI flag adds its value, joined to the others with what options.ts
   * splits the input on, as `go build -tags` or `docker --build-arg` users expect.
   */
  readonly separator?: '\n' | ' ';
  /** How the CLI takes it when it is no flag of its own. */
  readonly cli?: string;
}

export const INPUTS: readonly InputDefinition[] = [
  {
    name: 'mode',
    default: 'build',
    description:
      "'build'; 'plan' (only expand the matrix and set 'matrix'); 'collect' (merge the per-target results other jobs uploaded)",
    cli: "the command: 'build' or 'plan' ('collect' runs only in GitHub Actions)",
  },
  {
    name: 'targets',
    default: 'first-class',
    description:
      "Targets GOOS/GOARCH[/VARIANT], wildcards ('linux/*') or presets ('first-class', 'all'), separated by commas, spaces or newlines",
    separator: '\n',
  },
  {
    name: 'exclude',
    default: '',
    description: "Targets to remove, same syntax as 'targets'",
    separator: '\n',
  },
  {
    name: 'package',
    default: '.',
    description: 'Main package(s) to build, one per line (./cmd/app)',
    separator: '\n',
  },
  { name: 'working-directory', default: '.', description: "The Go module's directory" },
  {
    name: 'name',
    default: '',
    description:
      "Binary base name (default: the package directory's name; the module path's last element for '.')",
  },
  { name: 'cgo-enabled', default: '0', description: "'0' or '1', pinned for every target" },
  {
    name: 'cc',
    default: '',
    description:
      "Lines 'GOOS/GOARCH=compiler [args]' for cgo cross builds; well-known cross compilers on PATH are found without it",
    separator: '\n',
  },
  {
    name: 'ldflags',
    default: '-s -w',
    description: 'Linker flags; placeholders {version}, {commit}, {date} (commit date), {goos}, {goarch}',
    separator: ' ',
  },
  {
    name: 'version',
    default: '',
    description:
      "The {version} value (default: the tag of the ref, else 'git describe --tags --always --dirty')",
  },
  { name: 'tags', default: '', description: 'Build tags, separated by commas or spaces', separator: ' ' },
  {
    name: 'flags',
    default: '',
    description: "Further 'go build' flags, split like a shell splits words, never passed to a shell",
    separator: ' ',
  },
  { name: 'trimpath', default: 'true', description: "Build with '-trimpath'", boolean: true },
  {
    name: 'env',
    default: '',
    description:
      'Extra KEY=VALUE lines for the build; setting a pinned variable (GOOS, GOARCH, CGO_ENABLED, GOARM, …) is an error',
    separator: '\n',
  },
  {
    name: 'parallel',
    default: 'auto',
    description:
      "How many targets build at once ('auto' = one per CPU, fewer with under 1 GiB of memory each)",
  },
  {
    name: 'fail-fast',
    default: 'false',
    description: 'Stop starting new targets after the first failure',
    boolean: true,
  },
  {
    name: 'build-timeout',
    default: '30m',
    description: 'A target whose build runs longer is stopped and fails (e.g. 90s, 30m, 1h)',
  },
  {
    name: 'output-dir',
    default: 'dist',
    description: 'Where binaries, archives, checksums and the manifest go',
  },
  {
    name: 'name-template',
    default: '{name}-{goos}-{goarch}{variant}{ext}',
    description:
      'File name of each binary; placeholders {name}, {goos}, {goarch}, {variant}, {version}, {ext}',
  },
  {
    name: 'verify',
    default: 'true',
    description:
      'Check each file against its target (executable header and Go build info); a mismatch fails the target',
    boolean: true,
  },
  {
    name: 'linkage',
    default: '',
    description: "'static', 'dynamic' or 'any' (default: 'static' when cgo is off, else 'any')",
  },
  {
    name: 'max-glibc',
    default: '',
    description: "e.g. '2.17': fail a linux target that needs a newer GLIBC_x.y",
  },
  {
    name: 'min-macos',
    default: '',
    description:
      "e.g. '12' or '10.15': fail a darwin target that needs a newer macOS (its LC_BUILD_VERSION, or the Go release that built it)",
  },
  {
    name: 'min-windows',
    default: '',
    description:
      "'7', '8', '8.1', '10' or '11': fail a windows target that needs a newer Windows (its PE header, or the Go release that built it)",
  },
  {
    name: 'smoke-test',
    default: '',
    description:
      "Arguments to run each binary with (e.g. '--version'): natively, through qemu-user or wine when installed, else skipped",
  },
  {
    name: 'archive',
    default: 'auto',
    description: "'auto' (zip for windows, tar.gz otherwise), 'tar.gz', 'zip' or 'none'",
  },
  {
    name: 'extra-files',
    default: '',
    description: 'Glob lines of files to add to every archive (LICENSE, README.md)',
    separator: '\n',
  },
  {
    name: 'checksums',
    default: 'sha256',
    description: "'sha256' writes checksums.txt in 'sha256sum -c' format; 'none' skips it",
  },
  {
    name: 'universal',
    default: 'false',
    description: 'Also write a macOS universal binary when darwin/amd64 and darwin/arm64 are built',
    boolean: true,
  },
  {
    name: 'cache',
    default: 'true',
    description:
      "Restore and save GOCACHE and GOMODCACHE: 'true' (tag runs only restore), 'always' (tag runs save too), 'false' or 'restore-only'",
    bareTrue: true,
  },
  { name: 'cache-key-prefix', default: 'go-build-matrix', description: 'Prefix of the cache keys' },
  {
    name: 'cache-cleanup',
    default: 'auto',
    description:
      "After a save, delete this branch's cache entries it supersedes (older entries of the same module and target set, or of the smaller target set it grew from), when the job grants 'actions: write' ('auto'); 'false' leaves them to GitHub's eviction",
  },
  {
    name: 'upload',
    default: 'per-target',
    description: "Upload workflow artifacts: 'per-target', 'combined' or 'false'",
  },
  {
    name: 'artifact-name',
    default: '',
    description: "Artifact name (default: '{name}-{goos}-{goarch}{variant}' per target, '{name}' combined)",
  },
  {
    name: 'artifact-prefix',
    default: '',
    description:
      "Put before every artifact name, and the artifacts mode 'collect' takes: only those that start with it (default: none; mode 'plan' outputs a derived one for its build and collect jobs, see README)",
  },
  {
    name: 'retention-days',
    default: '',
    description: "Artifact retention in days (default: the repository's setting)",
  },
  {
    name: 'chunks',
    default: '1',
    description: "With mode 'plan': split the targets into this many groups for separate jobs",
  },
  {
    name: 'matrix-targets',
    default: '',
    description:
      "The targets of the whole matrix when this job builds a part of it ('targets'): file names and merged spellings are decided over the whole matrix, the same in every job (default: 'targets')",
    separator: '\n',
  },
  { name: 'summary', default: 'true', description: 'Write the job summary table', boolean: true },
  {
    name: 'badge',
    default: 'false',
    description: "Write 'badge.svg' and the shields.io endpoint 'badge.json' into the output directory",
    boolean: true,
  },
  {
    name: 'sbom',
    default: 'auto',
    description:
      "SBOM of each binary, from its own build info: 'cyclonedx' (CycloneDX 1.6 JSON, '<file>.cdx.json'), 'none', or 'auto' (cyclonedx when 'release' is on)",
  },
  {
    name: 'release',
    default: 'false',
    description:
      "On a tag: publish the GitHub release of that tag with the archives, checksums.txt, SBOMs and universal binary ('true'), or leave it a draft for review ('draft'); 'false' publishes nothing",
    bareTrue: true,
  },
  {
    name: 'release-notes',
    default: 'auto',
    description:
      "Notes of a new release: 'auto' (the annotated tag's message, else GitHub's generated notes), 'generated' or 'tag'",
  },
  {
    name: 'prerelease',
    default: 'auto',
    description: "'auto' (a semver prerelease tag such as v1.2.0-rc.1 makes a prerelease), 'true' or 'false'",
    bareTrue: true,
  },
  {
    name: 'make-latest',
    default: 'true',
    description:
      "Whether the published release becomes the repository's latest: 'true', 'false' or 'legacy' (by date and semver); never for a prerelease",
    bareTrue: true,
  },
  {
    name: 'verify-release',
    default: 'true',
    description:
      "After a release is made: download every asset again and verify it as users receive it (checksums.txt, each binary against its target, each SBOM against its binary, the universal binary's slices); a mismatch fails the step naming the asset",
    boolean: true,
  },
  {
    name: 'github-token',
    default: '${{ github.token }}',
    description:
      "Token for the API: the commit status ('status: true', needs statuses: write), the release ('release', needs contents: write) and deleting superseded cache entries ('cache-cleanup', needs actions: write)",
    cli: 'never a flag (shell history keeps flags): the environment variable GITHUB_TOKEN, else GH_TOKEN',
  },
  {
    name: 'windows-certificate',
    default: '',
    description:
      'Base64 of a PKCS#12 (.pfx) code-signing certificate with its key, from a secret: every windows binary is Authenticode-signed with osslsigncode before it is archived, checksummed or released',
    cli: 'never a flag (shell history keeps flags): the environment variable GO_BUILD_MATRIX_WINDOWS_CERTIFICATE',
  },
  {
    name: 'windows-certificate-password',
    default: '',
    description: "The password of 'windows-certificate', from a secret",
    cli: 'never a flag: the environment variable GO_BUILD_MATRIX_WINDOWS_CERTIFICATE_PASSWORD',
  },
  {
    name: 'windows-timestamp-url',
    default: '',
    description:
      "An RFC 3161 timestamp server (e.g. 'http://timestamp.digicert.com'): the signature stays valid after the certificate expires",
  },
  {
    name: 'vulncheck',
    default: 'auto',
    description:
      "Run govulncheck (golang.org/x/vuln v1.9.0, built from the Go module proxy) on every binary: 'warn' reports known vulnerabilities whose functions the binary holds, 'fail' fails those targets, 'off'; 'auto' is 'warn' when 'release' is on, else 'off'",
  },
  {
    name: 'vulncheck-db',
    default: '',
    description:
      'The vulnerability database govulncheck reads: an https:// mirror, or a file:// URL or directory of one (default: https://vuln.go.dev)',
  },
  {
    name: 'macos-certificate',
    default: '',
    description:
      'Base64 of a PKCS#12 (.p12) Developer ID Application certificate with its key, from a secret: every darwin binary is signed with quill (tools/macos-sign) before it is archived, checksummed, put in the universal binary or released',
    cli: 'never a flag (shell history keeps flags): the environment variable GO_BUILD_MATRIX_MACOS_CERTIFICATE',
  },
  {
    name: 'macos-certificate-password',
    default: '',
    description: "The password of 'macos-certificate', from a secret",
    cli: 'never a flag: the environment variable GO_BUILD_MATRIX_MACOS_CERTIFICATE_PASSWORD',
  },
  {
    name: 'macos-notary-key',
    default: '',
    description:
      'Base64 of an App Store Connect API key (AuthKey_XXXXXXXXXX.p8), from a secret: every signed darwin binary is notarized by Apple (secure timestamp from timestamp.apple.com); a rejection fails its target',
    cli: 'never a flag: the environment variable GO_BUILD_MATRIX_MACOS_NOTARY_KEY',
  },
  {
    name: 'macos-notary-key-id',
    default: '',
    description: "The ID of 'macos-notary-key' (ten letters and digits)",
  },
  {
    name: 'macos-notary-issuer',
    default: '',
    description: "The App Store Connect issuer ID (a UUID) of 'macos-notary-key'",
  },
  {
    name: 'reproducible',
    default: 'off',
    description:
      "'check' builds each target a second time (another path, empty GOCACHE, other TMPDIR, umask and time) and records whether the bytes are the same, or why not; 'off'",
  },
  {
    name: 'status',
    default: 'false',
    description: "Set a commit status 'go-build-matrix: N/N targets verified'",
    boolean: true,
  },
  {
    name: 'size-baseline',
    default: 'auto',
    description:
      "What each binary's size is compared with: 'auto' (the manifest.json of the previous published release), a release tag, the path of a manifest.json, or 'off'",
  },
  {
    name: 'size-budget',
    default: '',
    description:
      "How much a binary may grow over the same target of the baseline, e.g. '+5%' or '+2MiB' (B, KiB, MiB, GiB, kB, MB, GB); a binary that grows more fails",
  },
];

export type RawInputs = Readonly<Record<string, string>>;

/** The raw inputs with every default filled in, for callers that only set some. */
export function withDefaults(given: RawInputs): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const input of INPUTS) {
    const value = given[input.name];
    raw[input.name] = value === undefined || value === '' ? input.default : value;
  }
  return raw;
}
