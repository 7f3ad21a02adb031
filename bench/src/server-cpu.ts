import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 10_000;

/** utime + stime (+ the reaped children's with `children`) of process `pid`, in µs; 0 when it is gone. */
function cpuOf(pid: string, children: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(f[11]) + Number(f[12]);
    return (children ? own + Number(f[13]) + Number(f[14]) : own) * TICK_US;
  } catch {
    return 0;
  }
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
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parentOf.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]!);
      const p = cmdline.indexOf('-p');
      if (cmdline[0]?.endsWith('postgres') && p >= 0 && cmdline[p + 1] === String(port)) postmaster = pid;
    } catch {
      // a process that ended meanwhile
    }
  }
  if (postmaster === undefined) return undefined;
  let total = cpuOf(postmaster, true);
  for (const [pid, parent] of parentOf) if (parent === postmaster) total += cpuOf(pid, false);
  return total;
}
