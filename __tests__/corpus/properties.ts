// Inputs that once failed a property of __tests__/properties.test.ts, replayed before the random
// cases of every run, whatever the seed. When a run fails, add its counterexample here (the input
// and the value fast-check printed) with the change that fixed it.

interface Failure {
  input: string;
  value: string;
  /** What went wrong, and the commit that fixed it. */
  found: string;
}

export const PROPERTY_CORPUS: readonly Failure[] = [
  {
    input: 'ldflags',
    value: '-o',
    found: "the linker's own -o took go's next argument as its output, a file in the module (6ded3f2)",
  },
  {
    input: 'ldflags',
    value: '-s -w -o pwned',
    found: "the linker's own -o wrote 'pwned' into the module (6ded3f2)",
  },
  {
    input: 'name-template',
    value: 'linux/amd64 '.repeat(5_000),
    found: 'short elements, but a whole path over PATH_MAX: seeds 6666666 and 44444 (6ded3f2)',
  },
  {
    input: 'name-template',
    value: 'A'.repeat(100_000),
    found: 'a file name element over NAME_MAX failed in the file system, not as an input error (6980258)',
  },
  {
    input: 'name-template',
    value: '-o=/tmp/pwned',
    found: "the engine's own artifact out/-o=/tmp/pwned was taken for a file a hostile value wrote (53165bd)",
  },
];

/** fast-check examples for the property of one input. */
export function inputExamples(input: string): [string][] {
  return PROPERTY_CORPUS.filter((f) => f.input === input).map((f) => [f.value]);
}

/** fast-check examples for the engine property, which varies only `inputs`. */
export function engineExamples(inputs: readonly string[]): [[string, string]][] {
  return PROPERTY_CORPUS.filter((f) => inputs.includes(f.input)).map((f) => [[f.input, f.value]]);
}
