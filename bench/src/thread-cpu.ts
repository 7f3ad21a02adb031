import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/task/<tid>/stat` times on Linux. */
const TICKS_PER_SECOND = 100;

/**
 * CPU microseconds (user + system) this process's main thread has used, read from
 * `/proc/self/task/<pid>/stat` (10 ms resolution); `undefined` where there is no such file (not Linux).
 * Node 20 has no `process.threadCpuUsage`, and `process.cpuUsage()` sums every thread.
 */
export function mainThreadCpuUs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // fields after the command name, which is in parentheses and may hold spaces: utime is the 12th, stime the 13th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : undefined;
}
