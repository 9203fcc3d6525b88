// The help texts: `go-build-matrix --help`, `<command> --help` and `help <command>` print these.
import type { InputDefinition } from '../options/inputs.js';
import { INPUTS } from '../options/inputs.js';
import { TOOL } from '../version.js';

export const COMMANDS = ['build', 'plan', 'verify'] as const;
export type Command = (typeof COMMANDS)[number];

/** Inputs the CLI takes as flags of their own name; the rest say how it takes them (`cli`). */
export const FLAG_INPUTS: readonly InputDefinition[] = INPUTS.filter((i) => i.cli === undefined);

const EXIT =
  'Exit status: 0 every target built, 1 a target failed, 2 usage error (a bad flag or input value).';

function flagLine(input: InputDefinition): string {
  const how = input.boolean
    ? ` (--${input.name}, --no-${input.name} or --${input.name} true|false)`
    : input.bareTrue
      ? ` (--${input.name} alone means 'true')`
      : input.separator
        ? ' (repeat the flag to add values)'
        : '';
  const fallback = input.default ? ` (default: ${input.default})` : '';
  return `  --${input.name.padEnd(18)} ${input.description}${fallback}${how}`;
}

function inputFlags(): string[] {
  return [
    'Flags (named like the action inputs; a flag that takes a value takes the next word, or --flag=value):',
    ...FLAG_INPUTS.map(flagLine),
    '  --verbose            show go commands and per-target output',
    '  -h, --help           show this help',
    '',
    'Not flags:',
    ...INPUTS.filter((i) => i.cli !== undefined).map((i) => `  ${i.name.padEnd(20)} ${i.cli}`),
  ];
}

const VERIFY_LINE = `${TOOL.name} verify --target GOOS/GOARCH[/VARIANT] [--cgo-enabled 0|1] [--linkage static|dynamic|any] [--max-glibc 2.17] [--min-macos 12] [--min-windows 10] FILE`;

/** The overview: what each command does and where its flags are described. */
export function usage(): string {
  return [
    `${TOOL.name} ${TOOL.version}: build a Go program for a whole GOOS/GOARCH matrix, every target pinned.`,
    '',
    'Usage:',
    `  ${TOOL.name} build [flags]     build every target and write the manifest`,
    `  ${TOOL.name} plan [flags]      print the matrix JSON (with --chunks N)`,
    `  ${TOOL.name} verify --target GOOS/GOARCH[/VARIANT] [flags] FILE`,
    '                              print the verdict for any file as JSON',
    `  ${TOOL.name} verify --release OWNER/REPO@TAG | --manifest dist/manifest.json`,
    '                              verify every asset of a release, or of a build on disk',
    `  ${TOOL.name} help COMMAND      the flags of a command (the same as COMMAND --help)`,
    `  ${TOOL.name} --version`,
    '',
    ...inputFlags(),
    '',
    EXIT,
    '',
  ].join('\n');
}

/** The help of one command, the same whether asked as `COMMAND --help`, `COMMAND -h` or `help COMMAND`. */
export function commandUsage(command: Command): string {
  switch (command) {
    case 'build':
      return [
        `Usage: ${TOOL.name} build [flags]`,
        '',
        'Builds every target, verifies and packages each file, writes the manifest into --output-dir and',
        'prints the table. With --release (on a tag) it publishes the GitHub release.',
        '',
        ...inputFlags(),
        '',
        EXIT,
        '',
      ].join('\n');
    case 'plan':
      return [
        `Usage: ${TOOL.name} plan [flags]`,
        '',
        "Prints the matrix JSON a workflow's strategy.matrix takes: the targets split into --chunks groups.",
        'Nothing is built. It takes the flags of build:',
        '',
        ...inputFlags(),
        '',
        'Exit status: 0 the matrix was printed, 2 usage error.',
        '',
      ].join('\n');
    case 'verify':
      return [
        `Usage: ${VERIFY_LINE}`,
        '',
        'Prints the verdict for any file as JSON: whether it is a Go executable of that target.',
        '',
        'Flags:',
        '  --target GOOS/GOARCH[/VARIANT]  the target the file should be (required)',
        '  --cgo-enabled 0|1               the CGO_ENABLED its build info should record (default: 0)',
        "  --linkage static|dynamic|any    the linkage it should have (default: 'static' with cgo off, else 'any')",
        '  --max-glibc 2.17                fail a linux file that needs a newer GLIBC_x.y',
        '  --min-macos 12                  fail a darwin file that asks for a newer macOS',
        "  --min-windows 10                fail a windows file that asks for a newer Windows ('7', '8', '8.1', '10', '11')",
        '  -h, --help                      show this help',
        '',
        'Exit status: 0 the file is what the target says, 1 it is not (or no executable at all), 2 usage error.',
        '',
        `Usage: ${TOOL.name} verify --release OWNER/REPO@TAG`,
        `       ${TOOL.name} verify --manifest dist/manifest.json`,
        '',
        "Downloads every asset of the tag's release (the token from GITHUB_TOKEN or GH_TOKEN, the API from",
        "GITHUB_API_URL), or reads the files a build's manifest lists, and checks each against the manifest:",
        'checksums.txt, every binary (archives opened) against its target, each SBOM against its binary,',
        "the universal binary's slices. Prints one row per asset.",
        '',
        'Exit status: 0 every asset is what the manifest says, 1 one is not (each is named), 2 usage error.',
        '',
      ].join('\n');
  }
}

export function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}
