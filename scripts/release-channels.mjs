#!/usr/bin/env node
// What a release tag may move, given every version tag of the repository (one a line on stdin):
//   node scripts/release-channels.mjs v1.2.5 < tags
// prints `major=v1` when the tag is the highest release of its major line (else `major=`), and
// `dist-tag=latest` when it is the highest release of all (else `latest-1` for its line, or
// `next` for a prerelease). A backport (v1.2.5 after v1.3.0) or a re-run of an old tag thus moves
// neither `v1` nor npm's `latest` backwards (.github/workflows/release-action.yml).
const SEMVER = /^v(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/;

const tag = process.argv[2] ?? '';
const own = SEMVER.exec(tag);
if (!own) {
  console.error(`usage: release-channels.mjs vX.Y.Z[-pre] < tags (got '${tag}')`);
  process.exit(2);
}
const input = await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => (text += d));
  process.stdin.on('end', () => resolve(text));
});
/** Released versions (no prerelease) as [major, minor, patch], the tag itself included. */
const releases = [...input.split('\n'), tag]
  .map((line) => SEMVER.exec(line.trim()))
  .filter((m) => m !== null && m[4] === undefined)
  .map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
const higher = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const version = [Number(own[1]), Number(own[2]), Number(own[3])];
const prerelease = own[4] !== undefined;
const highestOf = (list) => list.reduce((best, v) => (higher(v, best) > 0 ? v : best), version);
const topOfLine =
  !prerelease && higher(highestOf(releases.filter((v) => v[0] === version[0])), version) === 0;
const topOfAll = !prerelease && higher(highestOf(releases), version) === 0;
console.log(`major=${topOfLine ? `v${version[0]}` : ''}`);
console.log(`dist-tag=${prerelease ? 'next' : topOfAll ? 'latest' : `latest-${version[0]}`}`);
