// Hostile inputs, generated: for every input of the action, random and adversarial values
// (shell metacharacters, $(…), backticks, newlines, NUL, ../, absolute paths, huge strings,
// unicode look-alikes, KEY=VALUE for pinned variables, lists emptied by exclusion) go through
// the same validation and planning the engine uses. Each must end either in a plan whose every
// `go build` argv element is one intended argument and whose every output is inside output-dir,
// or in an InputError that names an input, quotes the value on one line and shows no stack.
// A smaller run drives the whole engine and checks the processes it started and the files it wrote.
// Replay a failure with PROPERTY_SEED=<the seed its message ends with>; the inputs in
// corpus/properties.ts, which failed before, run first every time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildBudget, withProcessLimit } from '../src/compile/budget.js';
import type { BuildJob } from '../src/compile/plan.js';
import { planJobs } from '../src/compile/plan.js';
import { buildMatrix } from '../src/engine.js';
import type { ProcessStart } from '../src/exec.js';
import { observeProcessStarts } from '../src/exec.js';
import type { GoModule } from '../src/go/module.js';
import { loadModule } from '../src/go/module.js';
import type { Toolchain } from '../src/go/toolchain.js';
import { loadToolchain } from '../src/go/toolchain.js';
import { MemoryLogger } from '../src/log.js';
import { InputError } from '../src/options/errors.js';
import { INPUTS } from '../src/options/inputs.js';
import type { Options } from '../src/options/options.js';
import { PINNED_VARIABLES, parseOptions } from '../src/options/options.js';
import { resolveExtraFiles } from '../src/package/extra-files.js';
import type { TargetUniverse } from '../src/targets/expand.js';
import { selectTargets } from '../src/targets/expand.js';
import { pinVariants, resolveTargets } from '../src/targets/resolve.js';
import { VARIANT_VARIABLES } from '../src/targets/variants.js';
import { engineExamples, inputExamples } from './corpus/properties.js';
import { copyModule, tempDir } from './support/engine.js';
import { replayable, seedFrom, withCorpus } from './support/replay.js';
import { EXAMPLE_MODULE, goEnv, toolchain as suiteToolchain } from './support/toolchains.js';

const SEED = seedFrom('PROPERTY_SEED');
const REPLAY = replayable('PROPERTY_SEED', SEED);
const RUNS_PER_INPUT = Number(process.env.PROPERTY_RUNS ?? 10_000);
const ENGINE_RUNS = Number(process.env.PROPERTY_ENGINE_RUNS ?? 40);
const tc = suiteToolchain('1.23');

/** Values no input should trust. */
const NASTY = [
  '$(touch pwned)',
  '`touch pwned`',
  '; touch pwned',
  '| touch pwned #',
  '&& touch pwned',
  "'; touch pwned; '",
  '"$(touch pwned)"',
  '\n',
  '\r\n',
  '\0',
  '\t',
  '\u0007',
  '../',
  '../../../../etc/passwd',
  '/etc/passwd',
  '/',
  '~',
  '${HOME}',
  '%PATH%',
  "'",
  '"',
  '\\',
  '-o',
  '-o=/tmp/pwned',
  '-toolexec=touch pwned',
  '-toolexec=/bin/true',
  '-C',
  '-C=/tmp',
  '-exec=sh',
  '-overlay=/tmp/o.json',
  '-modfile=/tmp/go.mod',
  '-p=1',
  '--',
  '-',
  '*',
  '**',
  '?',
  '[',
  '{',
  '}',
  '{version}',
  '{goos}',
  '{name}',
  '{{',
  'GOOS=plan9',
  'GOARCH=mips',
  'CGO_ENABLED=1',
  'GOAMD64=v4',
  'GOARM=5',
  'GOTOOLCHAIN=go1.99',
  'GOFLAGS=-toolexec=touch',
  'PATH=/tmp',
  'LD_PRELOAD=/tmp/x.so',
  'KEY=VALUE',
  '=',
  'ｌｉｎｕｘ/ａｍｄ６４',
  'lіnux/amd64',
  'linux∕amd64',
  'linux／amd64',
  '\u202e',
  '\u200b',
  '\ufeff',
  'true',
  'false',
  'auto',
  'none',
  '0',
  '1',
  '-1',
  '1e9',
  'NaN',
  '0x10',
  '99999999999999999999',
  '  ',
  '',
  '${{ secrets.GITHUB_TOKEN }}',
  'linux/amd64',
  'windows/arm64',
  'linux/arm/7',
  'linux/amd64/v3',
  '!linux/*',
  'windows/*',
  '*/*',
  'first-class',
  'linux/amd64=gcc',
  '-X main.version={version}',
  '-s -w',
  '30m',
  'sha256',
  'tar.gz',
  'static',
  '2.31',
  '.',
  './...',
  'dist',
];

const HUGE = [
  'A'.repeat(100_000),
  'linux/amd64 '.repeat(5_000),
  '$('.repeat(20_000),
  '\n'.repeat(10_000),
  '../'.repeat(10_000),
];

const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
);

const hostile = fc.oneof(
  {
    weight: 30,
    arbitrary: fc
      .tuple(fc.array(token, { maxLength: 6 }), fc.constantFrom(' ', '\n', ',', '', '=', '/', ' !'))
      .map(([parts, separator]) => parts.join(separator)),
  },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
);

/** The flags no plan may contain, whatever the user wrote (tested against one argument at a time). */
const FORBIDDEN_FLAG = /^--?(o|C|toolexec|exec|overlay|modfile)(=|$)/;

let sandbox: string;
let moduleDir: string;
let toolchain: Toolchain;
let universe: TargetUniverse;
let module: GoModule;
let defaults: Map<string, { variable: string; value: string } | undefined>;
const stopObserving: (() => void)[] = [];

beforeAll(async () => {
  console.log(
    `properties: seed ${SEED}, ${RUNS_PER_INPUT} cases per input, ${ENGINE_RUNS} engine runs (replay: PROPERTY_SEED=${SEED})`,
  );
  sandbox = tempDir('properties');
  moduleDir = path.join(sandbox, 'module');
  copyModule(EXAMPLE_MODULE, moduleDir);
  const env = goEnv(tc);
  baseEnv = env;
  toolchain = await loadToolchain(moduleDir, env);
  module = await loadModule(moduleDir, env);
  // Every pair's default variant, asked once, so each case plans without starting a process.
  universe = {
    dist: toolchain.dist,
    broken: toolchain.broken,
    goVersion: toolchain.version,
    release: toolchain.release,
  };
  const all = selectTargets('*/*', '', universe);
  const resolved = await resolveTargets(all, moduleDir, env);
  defaults = new Map(resolved.map((t) => [`${t.goos}/${t.goarch}`, t.pinnedVariant ?? undefined]));
  // Planning must not start processes: any start during the pure cases fails them.
  stopObserving.push(
    observeProcessStarts(({ argv }) => {
      if (!engineRunning) throw new Error(`a process was started while planning: ${JSON.stringify(argv)}`);
    }),
  );
});

afterAll(() => stopObserving.forEach((stop) => stop()));

let engineRunning = false;
let baseEnv: Record<string, string>;

/** The engine's front half: validate, select, pin, plan, budget. */
async function plan(raw: Record<string, string>): Promise<{ options: Options; jobs: BuildJob[] }> {
  const options = parseOptions(raw, moduleDir);
  const requested = selectTargets(options.targets, options.exclude, universe);
  if (options.extraFiles.length > 0) await resolveExtraFiles(options.extraFiles, options.workingDirectory);
  const { jobs } = planJobs({
    options,
    toolchain,
    module,
    metadata: { version: options.version ?? 'v0.0.0', commit: 'f00dfeed', date: '2024-01-02T03:04:05Z' },
    targets: pinVariants(requested, defaults),
    baseEnv,
  });
  const budget = buildBudget(
    options.parallel,
    jobs.length,
    { cpus: 2, totalMemory: 8 * 1024 ** 3 },
    options.flags,
  );
  return { options, jobs: withProcessLimit(jobs, budget) };
}

function inside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Cheaper than expect() in a loop run 380,000 times. */
function check(condition: boolean, what: string, detail: unknown): void {
  if (!condition) throw new Error(`${what}: ${JSON.stringify(detail).slice(0, 2000)}`);
}

/** Every argv element is one argument we meant to pass; the output stays in output-dir; the pinned env holds. */
function checkJob(job: BuildJob, options: Options): void {
  const { argv } = job;
  check(argv[0] === 'go' && argv[1] === 'build', 'not go build', argv);
  check(argv.filter((a) => a === '-o').length === 1, '-o not exactly once', argv);
  check(argv[argv.indexOf('-o') + 1] === job.output, '-o is not followed by the output', argv);
  check(inside(options.outputDir, job.output), 'output outside output-dir', [options.outputDir, job.output]);
  check(argv.at(-1) === job.package && options.packages.includes(job.package), 'package not last', argv);
  const intended = new Set<string>([
    'go',
    'build',
    '-o',
    '-trimpath',
    job.output,
    job.package,
    ...options.flags,
  ]);
  for (const [i, arg] of argv.entries()) {
    const isOurOutputFlag = arg === '-o' && argv[i + 1] === job.output;
    check(i < 2 || !FORBIDDEN_FLAG.test(arg) || isOurOutputFlag, 'forbidden flag', { arg, argv });
    const ok =
      intended.has(arg) ||
      /^-p=\d+$/.test(arg) ||
      arg === `-tags=${options.tags.join(',')}` ||
      arg.startsWith('-ldflags=');
    check(ok, 'unintended argument', { arg, argv });
  }
  const { env } = job;
  check(env.GOOS === job.target.goos && env.GOARCH === job.target.goarch, 'GOOS/GOARCH not pinned', env);
  check(
    // GOTOOLCHAIN: local unless the env input chooses one.
    env.CGO_ENABLED === options.cgoEnabled && env.GOTOOLCHAIN === (options.env.GOTOOLCHAIN ?? 'local'),
    'CGO_ENABLED/GOTOOLCHAIN',
    env,
  );
  for (const variable of VARIANT_VARIABLES) {
    const expected = variable === job.pinned.variant?.variable ? job.pinned.variant.value : undefined;
    check(env[variable] === expected, `${variable} not pinned`, { variable, value: env[variable], expected });
  }
  for (const key of Object.keys(options.env))
    check(!PINNED_VARIABLES.includes(key), 'env sets a pinned variable', key);
}

/** A rejection: an InputError naming a real input, on one line, quoted, with no stack trace. */
function checkRejection(error: unknown): void {
  if (!(error instanceof InputError)) throw error;
  const { message } = error;
  check(INPUT_NAMES.has(error.input), 'unknown input', error.input);
  check(message.startsWith(`Input '${error.input}': `), 'message does not name the input first', message);
  // eslint-disable-next-line no-control-regex
  check(!/[\u0000-\u001f\u007f]/.test(message), 'control character in the message', message);
  check(!/\bat .+:\d+:\d+/.test(message), 'stack trace in the message', message);
  check(message.length < 2_000, 'message too long', message.length);
}

const INPUT_NAMES = new Set(INPUTS.map((i) => i.name));

/** Inputs whose value the cases replace, with a valid base for the rest. */
const BASE: Record<string, string> = {
  targets: 'linux/amd64 windows/arm64',
  upload: 'false',
  cache: 'false',
};

describe('every input, hostile values', () => {
  for (const input of INPUTS.map((i) => i.name)) {
    it(`${input}: validated or planned safely (${RUNS_PER_INPUT} cases)`, async () => {
      await fc.assert(
        fc.asyncProperty(hostile, async (value) => {
          const raw = { ...BASE, 'output-dir': path.join(sandbox, 'out'), [input]: value };
          try {
            const { options, jobs } = await plan(raw);
            for (const job of jobs) checkJob(job, options);
          } catch (error) {
            checkRejection(error);
          }
        }),
        { ...REPLAY, ...withCorpus(RUNS_PER_INPUT, inputExamples(input)) },
      );
    });
  }

  it('an empty list after exclusion is an error naming both inputs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('linux/amd64', 'linux/*', 'windows/*', 'first-class'),
        async (targets) => {
          const error = await plan({ ...BASE, targets, exclude: targets }).catch((e: unknown) => e);
          checkRejection(error);
          expect((error as InputError).input).toBe('exclude');
        },
      ),
      { ...REPLAY, numRuns: 20 },
    );
  });

  it('planning wrote nothing and started nothing', () => {
    expect(readdirSync(sandbox).sort()).toEqual(['module']);
    expect(existsSync(path.join(moduleDir, 'pwned'))).toBe(false);
  });
});

/** Every file under `dir`, relative. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('the whole engine, hostile values in the inputs that reach go and the disk', () => {
  const REACHING = [
    'ldflags',
    'version',
    'name',
    'name-template',
    'tags',
    'flags',
    'env',
    'output-dir',
    'extra-files',
  ];

  it(`starts only the intended processes and writes only inside output-dir and TMPDIR (${ENGINE_RUNS} runs)`, async () => {
    const runs = fc.tuple(fc.constantFrom(...REACHING), hostile);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(runs, async ([input, value]) => {
        const root = path.join(sandbox, `engine-${n++}`);
        const work = path.join(root, 'module');
        const tmp = path.join(root, 'tmp');
        copyModule(EXAMPLE_MODULE, work);
        mkdirSync(tmp);
        const before = new Set(listFiles(root));
        const raw = {
          targets: 'linux/amd64',
          upload: 'false',
          cache: 'false',
          'output-dir': 'out',
          'working-directory': work,
          [input]: value,
        };
        let options: Options;
        try {
          options = parseOptions(raw, work);
        } catch (error) {
          checkRejection(error);
          return;
        }
        const started: ProcessStart[] = [];
        const stop = observeProcessStarts((s) => started.push(s));
        engineRunning = true;
        // Files the engine names as its own: a name-template may legitimately name one 'pwned'.
        const produced = new Set<string>();
        try {
          const result = await buildMatrix(options, {
            baseDir: root,
            env: goEnv(tc, { TMPDIR: tmp }),
            log: new MemoryLogger(),
          });
          for (const a of result.manifest.artifacts) {
            for (const file of [a.path, a.archive]) if (file !== null) produced.add(file);
          }
        } catch (error) {
          checkRejection(error);
        } finally {
          engineRunning = false;
          stop();
        }
        for (const s of started) {
          expect(['go', 'git']).toContain(s.argv[0]);
          if (s.argv[1] === 'build') {
            // Our own `-o <output>` once; every other argument after `go build` is tested on its own.
            const output = s.argv.indexOf('-o');
            expect(s.argv.filter((arg) => arg === '-o')).toEqual(['-o']);
            const others = s.argv.filter((_, i) => i >= 2 && i !== output && i !== output + 1);
            expect(others.filter((arg) => FORBIDDEN_FLAG.test(arg))).toEqual([]);
            expect(s.argv).toContain(options.packages[0]);
          }
        }
        const created = listFiles(root).filter((f) => !before.has(f));
        for (const file of created) {
          const full = path.join(root, file);
          if (!inside(options.outputDir, full) && !inside(tmp, full)) {
            throw new Error(
              `wrote ${full} outside output-dir ${options.outputDir} (input ${input}=${JSON.stringify(value)})`,
            );
          }
        }
        expect(created.filter((f) => path.basename(f) === 'pwned' && !produced.has(f))).toEqual([]);
      }),
      { ...REPLAY, ...withCorpus(ENGINE_RUNS, engineExamples(REACHING)) },
    );
  });
});
