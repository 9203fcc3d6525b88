// README's inputs table against the two other places that declare the inputs: action.yml and
// the bundled CLI's own --help.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { INPUTS } from '../src/options/inputs.js';
import { REPO_ROOT } from './support/toolchains.js';

const execFileAsync = promisify(execFile);
const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
/** README's prose with its line breaks as spaces, as it reads. */
const prose = readme.replace(/\s+/g, ' ');

/** The rows of the table under `## Inputs`: name and default as README shows them. */
function readmeInputs(): { name: string; default: string }[] {
  const section = readme.slice(readme.indexOf('\n## Inputs\n'), readme.indexOf('\n## Outputs\n'));
  return [...section.matchAll(/^\| `([a-z-]+)` +\| (`([^|]*)`)? *\|/gm)].map((m) => ({
    name: m[1] as string,
    default: m[3] ?? '',
  }));
}

/** A README sentence's list of `names` in parentheses after the given words. */
function namesAfter(words: string): string[] {
  const at = prose.indexOf(words);
  expect([words, at]).not.toEqual([words, -1]);
  const list = /^ \(([^)]*)\)/.exec(prose.slice(at + words.length)) ?? [];
  return [...(list[1] ?? '').matchAll(/`([a-z-]+)`/g)].map((m) => m[1] as string);
}

describe('README inputs table', () => {
  const action = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default: string }>;
  };
  let help = '';

  beforeAll(async () => {
    ({ stdout: help } = await execFileAsync(process.execPath, [
      path.join(REPO_ROOT, 'dist', 'cli.js'),
      'build',
      '--help',
    ]));
  });

  it("lists action.yml's inputs, in its order, with its defaults", () => {
    expect(readmeInputs()).toEqual(
      Object.entries(action.inputs).map(([name, input]) => ({ name, default: input.default })),
    );
  });

  it('every row is a flag of the CLI with the same default, or says how the CLI takes it', () => {
    const lines = help.split('\n');
    for (const row of readmeInputs()) {
      const input = INPUTS.find((i) => i.name === row.name);
      const flag = lines.find((l) => l.startsWith(`  --${row.name} `));
      if (input?.cli !== undefined) {
        expect([row.name, flag]).toEqual([row.name, undefined]);
        expect(help).toContain(`  ${row.name.padEnd(20)} ${input.cli}`);
        continue;
      }
      expect([row.name, flag]).toEqual([row.name, expect.any(String)]);
      if (row.default !== '') expect(flag).toContain(`(default: ${row.default})`);
    }
    expect(prose).toContain(
      'the CLI reads the token from the environment variable `GITHUB_TOKEN`, else `GH_TOKEN`',
    );
  });

  it('names the list flags and the boolean flags as the CLI reads them', () => {
    expect(namesAfter('The flags of a list')).toEqual(INPUTS.filter((i) => i.separator).map((i) => i.name));
    expect(namesAfter('Flags whose only values are `true` and `false`')).toEqual(
      INPUTS.filter((i) => i.boolean).map((i) => i.name),
    );
    const bareTrue = INPUTS.filter((i) => i.bareTrue).map((i) => `\`${i.name}\``);
    expect(prose).toContain(
      `${bareTrue.slice(0, -1).join(', ')} and ${bareTrue.at(-1)} take their other values as the next word`,
    );
  });
});
