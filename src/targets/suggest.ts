/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions (amd46 → amd64). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Names people use for Go's GOOS/GOARCH values (uname, Rust/LLVM triples, marketing names). */
const ALIASES: Readonly<Record<string, string>> = {
  macos: 'darwin',
  osx: 'darwin',
  mac: 'darwin',
  win: 'windows',
  win32: 'windows',
  win64: 'windows',
  x86_64: 'amd64',
  x64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armv8: 'arm64',
  i386: '386',
  i686: '386',
  x86: '386',
  armhf: 'arm',
  armel: 'arm',
  armv6: 'arm',
  armv7: 'arm',
  ppc64el: 'ppc64le',
  mips64el: 'mips64le',
  mipsel: 'mipsle',
  loongarch64: 'loong64',
  wasm32: 'wasm',
};

/**
 * The candidate closest to `wanted`, or undefined when nothing is close enough to be a
 * plausible typo. Known aliases are translated segment by segment first.
 */
export function nearest(wanted: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const lowered = wanted.toLowerCase();
  const translated = lowered
    .split('/')
    .map((part) => ALIASES[part] ?? part)
    .join('/');
  for (const form of [translated, lowered]) {
    if (candidates.includes(form)) return form;
  }
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let bestGap = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(translated, candidate);
    // Among equally close spellings prefer the nearest number: v5 → v4, GOARM 8 → 7.
    const gap = numberGap(translated, candidate);
    if (distance < bestDistance || (distance === bestDistance && gap < bestGap)) {
      best = candidate;
      bestDistance = distance;
      bestGap = gap;
    }
  }
  // More than about a third of the word wrong is a different word, not a typo.
  return bestDistance <= Math.max(2, Math.ceil(translated.length / 3)) ? best : undefined;
}

function numberGap(a: string, b: string): number {
  const number = (s: string): number | undefined => {
    const digits = /(\d+(?:\.\d+)?)(?!.*\d)/.exec(s);
    return digits ? Number(digits[1]) : undefined;
  };
  const x = number(a);
  const y = number(b);
  return x === undefined || y === undefined ? Number.POSITIVE_INFINITY : Math.abs(x - y);
}
