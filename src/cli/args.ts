/**
 * Command-line words as Go's flag package reads them: an option that takes a value takes the
 * next word whatever it starts with (`--ldflags "-s -w"`, `--smoke-test --version`), so it is
 * joined to its option before node:util's parseArgs, which would refuse a value that starts
 * with a dash. Booleans stay words of their own: `--fail-fast`, `--no-fail-fast`,
 * `--fail-fast false`. A choice that includes 'true' (`--release`, `--release draft`) means
 * 'true' given bare, before another option or at the end: none of its values starts with '-'.
 */
export function joinOptionValues(
  args: readonly string[],
  valueOptions: ReadonlySet<string>,
  booleanOptions: ReadonlySet<string>,
  bareTrueOptions: ReadonlySet<string> = new Set(),
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const negated = /^--no-(.+)$/.exec(arg);
    if (negated && booleanOptions.has(negated[1] as string)) {
      out.push(`--${negated[1]}=false`);
      continue;
    }
    const bare = /^--([a-z0-9-]+)$/.exec(arg);
    const next = args[i + 1];
    if (bare && booleanOptions.has(bare[1] as string)) {
      if (next === 'true' || next === 'false') {
        out.push(`${arg}=${next}`);
        i++;
      } else out.push(`${arg}=true`);
      continue;
    }
    if (bare && bareTrueOptions.has(bare[1] as string) && (next === undefined || next.startsWith('-'))) {
      out.push(`${arg}=true`);
      continue;
    }
    if (bare && valueOptions.has(bare[1] as string) && next !== undefined) {
      out.push(`${arg}=${next}`);
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}
