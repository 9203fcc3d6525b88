// How the machine is shared: how many targets build at once, and how many processes (`go build
// -p`) each of them may run. Measured on a 2-core, 24 GiB runner building cmd/gofmt (Go 1.23)
// cold for 8 targets — sequential loop (1 target × -p 2): 121.5 s wall, 92% CPU; all 8 at once
// (× -p 2): 121.8 s, 95%; 2 targets × -p 1: 136.5 s, 88%; 2 targets × -p 2: 114.2 s, 99%;
// 3 × -p 1: 126.1 s; 4 × -p 1: 124.9 s. Two lessons: -p 1 is slow (the compiler's own backend
// concurrency follows -p, so each package compiles serially), and about two runnable processes
// per core are what fill the gaps of the serial link steps without thrashing. So: one target per
// core, and -p sized so that targets × -p ≈ 2 × cores, never below 2. Without the cap, go's
// default -p (= cores) gives cores² processes on a large runner: 4,096 on 64 cores.
import type { BuildJob } from './plan.js';

/**
 * Memory one building target may need at its peak. cmd/go's largest process (Go 1.23, measured
 * with time -v) peaks at 252 MB; with -p 2 two of them plus the go command stay under 0.6 GB, so
 * 1 GiB per target leaves room for larger programs.
 */
const MEMORY_PER_TARGET = 1024 ** 3;

export interface Budget {
  /** Targets building at once. */
  readonly targets: number;
  /** `go build -p` for each; null when the user's own flags set -p. */
  readonly processes: number | null;
}

export function buildBudget(
  parallel: number | 'auto',
  jobCount: number,
  machine: { readonly cpus: number; readonly totalMemory: number },
  userFlags: readonly string[],
): Budget {
  const cpus = Math.max(1, machine.cpus);
  const wanted =
    parallel === 'auto'
      ? Math.min(cpus, Math.max(1, Math.floor(machine.totalMemory / MEMORY_PER_TARGET)))
      : parallel;
  const targets = Math.max(1, Math.min(wanted, jobCount));
  const userSetsP = userFlags.some((f) => f === '-p' || f.startsWith('-p='));
  return { targets, processes: userSetsP ? null : Math.max(2, Math.ceil((2 * cpus) / targets)) };
}

/** The jobs with `-p` added right after `go build`. */
export function withProcessLimit(jobs: readonly BuildJob[], budget: Budget): BuildJob[] {
  if (budget.processes === null) return [...jobs];
  const flag = `-p=${budget.processes}`;
  return jobs.map((job) => ({ ...job, argv: [...job.argv.slice(0, 2), flag, ...job.argv.slice(2)] }));
}
