import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd: string;
  /** The complete environment of the child: nothing is inherited implicitly. */
  env: Record<string, string>;
  /** Stop the process (and everything it started) after this many milliseconds. */
  timeoutMs?: number;
  /** Cap on captured output per stream, so a runaway tool cannot exhaust memory. */
  maxOutputBytes?: number;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The command could not be started at all (ENOENT, EACCES, …). */
  spawnError: string | null;
  seconds: number;
}

const DEFAULT_MAX_OUTPUT = 8 * 1024 * 1024;

/** A process about to be started: exactly the argv, directory and environment it gets. */
export interface ProcessStart {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

const startObservers = new Set<(start: ProcessStart) => void>();

/**
 * Calls `observer` before every process this module starts (the engine logs them at debug
 * level; the test suite checks them). Returns the function that stops the observing.
 */
export function observeProcessStarts(observer: (start: ProcessStart) => void): () => void {
  startObservers.add(observer);
  return () => startObservers.delete(observer);
}

/**
 * Runs one command from an argv array. This is the only place the project starts processes.
 * No shell is ever involved: every element reaches the program as exactly one argument.
 * We use child_process.spawn rather than @actions/exec because a build must be killable
 * (build-timeout, fail-fast) together with the compile and link processes `go` starts, and
 * @actions/exec exposes neither the child nor a way to stop it.
 */
export function run(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('run: empty argv');
  for (const observer of startObservers)
    observer({ argv: [...argv], cwd: options.cwd, env: { ...options.env } });
  const started = process.hrtime.bigint();
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve) => {
    const stdout = new BoundedBuffer(maxBytes);
    const stderr = new BoundedBuffer(maxBytes);
    let timedOut = false;
    let spawnError: string | null = null;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout can stop go's compile/link children as well.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            killTree(child.pid);
          }, options.timeoutMs)
        : undefined;
    child.on('error', (err) => {
      spawnError = err.message;
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        exitCode: code,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
        spawnError,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
  });
}

function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') process.kill(pid, 'SIGKILL');
    else process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

class BoundedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    if (this.size >= this.max) {
      this.truncated = true;
      return;
    }
    const room = this.max - this.size;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept !== chunk) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  text(): string {
    const body = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${body}\n[output truncated at ${this.max} bytes]` : body;
  }
}

/** Describes a finished command for an error message (`name` is e.g. 'go build'): exit code, signal, timeout or spawn error. */
export function describeFailure(name: string, result: RunResult): string {
  if (result.spawnError) return `${name} could not be started: ${result.spawnError}`;
  if (result.timedOut) return `${name} was stopped after its time limit`;
  if (result.signal) return `${name} was killed by ${result.signal}`;
  return `${name} exited with status ${result.exitCode ?? 'unknown'}`;
}
