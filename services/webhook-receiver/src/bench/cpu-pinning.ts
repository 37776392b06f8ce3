import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * CPU affinity for the receiver benchmark, with util-linux `taskset` (every thread of a
 * process). The server under test gets a core to itself; the load generator and a local Redis
 * share the others. Without it, the scheduler moves the three across the two cores of this
 * machine, and the receiver pays for Redis's work in its own CPU time (Redis preempting it,
 * cold caches after migrations) where the bare route, which needs no Redis, does not; in a
 * deployment Redis runs on machines of its own.
 */
export interface CpuPlan {
  /** CPU list (taskset's `-c` syntax) for the server being measured. */
  server: string;
  /** CPU list for everything else: the load generator and Redis. */
  rest: string;
}

/**
 * The plan for this machine, or the reason there is none: `BENCH_PIN_CPUS=off` turns pinning
 * off; it needs at least two CPUs and `taskset`.
 */
export function cpuPlan(setting: string | undefined): CpuPlan | { off: string } {
  if (setting === 'off') return { off: 'BENCH_PIN_CPUS=off' };
  if (setting !== undefined && setting !== '' && setting !== 'auto') {
    throw new Error(`BENCH_PIN_CPUS must be auto or off, not ${setting}`);
  }
  const cpus = availableParallelism();
  if (cpus < 2) return { off: 'only one CPU' };
  if (affinityOf(process.pid) === undefined) return { off: 'taskset is not available' };
  return { server: '0', rest: cpus === 2 ? '1' : `1-${cpus - 1}` };
}

/** The CPU list a process may run on, or undefined when taskset cannot tell. */
export function affinityOf(pid: number): string | undefined {
  try {
    const output = execFileSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8' });
    return /:\s*(\S+)\s*$/.exec(output)?.[1];
  } catch {
    return undefined;
  }
}

/** Pins every thread of a process to `cpus`; false when the system refused. */
export function pinProcess(pid: number, cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is a redis-server process on this machine. */
export function isLocalRedis(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('redis');
  } catch {
    return false;
  }
}
