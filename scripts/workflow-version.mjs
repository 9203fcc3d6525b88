#!/usr/bin/env node
// The version the workflows name and the version released are one. Every reference to
// go-build-matrix/go-build-matrix in a reusable workflow (.github/workflows/*.yml with
// `workflow_call`) names `v` + package.json's version exactly, so a caller pinning the workflow
// by tag or SHA runs the action of that same release; the examples name its major tag (`v0`,
// `v1`), which release-action.yml moves.
//   node scripts/workflow-version.mjs           checks (exit 1, listing each wrong reference)
//   node scripts/workflow-version.mjs --write   rewrites them (run it after setting the version)
// `--root DIR` works on another checkout (the tests use a copy).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const write = args.includes('--write');
const rootAt = args.indexOf('--root');
const root =
  rootAt === -1
    ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
    : path.resolve(args[rootAt + 1] ?? '.');
const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const major = `v${version.split('.')[0]}`;
// The action (`…@ref`) or one of its workflows (`…/.github/workflows/x.yml@ref`).
const REF = /(go-build-matrix\/go-build-matrix(?:\/\.github\/workflows\/[\w.-]+\.ya?ml)?)@([^\s'"#`]+)/g;

const yamlIn = (dir) =>
  readdirSync(path.join(root, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(dir, f));
const files = [
  ...yamlIn('.github/workflows')
    .filter((f) => /^\s+workflow_call:/m.test(readFileSync(path.join(root, f), 'utf8')))
    .map((file) => ({ file, want: `v${version}` })),
  ...yamlIn('examples/workflows').map((file) => ({ file, want: major })),
];

const wrong = [];
for (const { file, want } of files) {
  const text = readFileSync(path.join(root, file), 'utf8');
  for (const m of text.matchAll(REF)) if (m[2] !== want) wrong.push(`${file}: ${m[0]} (want @${want})`);
  if (write) writeFileSync(path.join(root, file), text.replace(REF, `$1@${want}`));
}
if (!write && wrong.length > 0) {
  console.error(
    `These references do not name package.json's version ${version}; run 'node scripts/workflow-version.mjs --write':\n${wrong.join('\n')}`,
  );
  process.exit(1);
}
