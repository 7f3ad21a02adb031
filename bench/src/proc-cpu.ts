import { readdirSync, readFileSync } from 'node:fs';

/** Microseconds per clock tick of `/proc` CPU times (Linux's USER_HZ is 100). */
const TICK_US = 10_000;

/** The fields of a `/proc/…/stat` file after the command name (which may hold spaces); undefined when unreadable. */
function statFields(path: string): string[] | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime (+ the reaped children's with `children`) of a stat file's fields, in µs. */
function cpuUsOf(fields: string[], children: boolean): number {
  const own = Number(fields[11]) + Number(fields[12]);
  return (children ? own + Number(fields[13]) + Number(fields[14]) : own) * TICK_US;
}

/**
 * CPU µs (user + system) this process's main thread has used, from `/proc/self/task/<pid>/stat`
 * (10 ms resolution); `undefined` where there is no such file (not Linux). Node 20 has no
 * `process.threadCpuUsage`, and `process.cpuUsage()` sums every thread.
 */
export function mainThreadCpuUs(): number | undefined {
  const fields = statFields(`/proc/self/task/${process.pid}/stat`);
  if (fields === undefined) return undefined;
  const us = cpuUsOf(fields, false);
  return Number.isFinite(us) ? us : undefined;
}

/**
 * CPU µs used so far by the PostgreSQL server listening on `port` on this machine: its postmaster
 * (with the backends it reaped) and its live children. Undefined where `/proc` is not readable or the
 * server is not local; a load-independent measure of the database's share of a write path.
 */
export function serverCpuUs(port: number): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  const parentOf = new Map<string, string>();
  let postmaster: string | undefined;
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const parent = statFields(`/proc/${pid}/stat`)?.[1];
      if (parent === undefined) continue;
      parentOf.set(pid, parent);
      const p = cmdline.indexOf('-p');
      if (cmdline[0]?.endsWith('postgres') && p >= 0 && cmdline[p + 1] === String(port)) postmaster = pid;
    } catch {
      // a process that ended meanwhile
    }
  }
  if (postmaster === undefined) return undefined;
  const total = (pid: string, children: boolean) => {
    const fields = statFields(`/proc/${pid}/stat`);
    return fields === undefined ? 0 : cpuUsOf(fields, children);
  };
  let sum = total(postmaster, true);
  for (const [pid, parent] of parentOf) if (parent === postmaster) sum += total(pid, false);
  return sum;
}
