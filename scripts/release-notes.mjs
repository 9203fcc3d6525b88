#!/usr/bin/env node
// Prints the CHANGELOG.md section of one version (`node scripts/release-notes.mjs 1.2.3`), the
// notes of its GitHub release. Exits 1 when the section is missing or empty, so a tag cannot be
// released before its changes are written down (.github/workflows/release-action.yml).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const version = process.argv[2] ?? '';
if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version)) {
  console.error(`usage: release-notes.mjs X.Y.Z (got '${version}')`);
  process.exit(2);
}
const lines = readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8').split('\n');
// A release's heading is `## [X.Y.Z] - YYYY-MM-DD` (Keep a Changelog); the section runs to the
// next `## ` heading or the link references at the end.
const start = lines.findIndex((line) => line.startsWith(`## [${version}] - `));
if (start === -1) {
  console.error(
    `CHANGELOG.md has no '## [${version}] - <date>' section; write it before tagging v${version}.`,
  );
  process.exit(1);
}
const rest = lines.slice(start + 1);
const end = rest.findIndex((line) => line.startsWith('## ') || /^\[[^\]]+\]: /.test(line));
const notes = (end === -1 ? rest : rest.slice(0, end)).join('\n').trim();
if (notes === '') {
  console.error(`CHANGELOG.md's section for ${version} is empty.`);
  process.exit(1);
}
console.log(notes);
