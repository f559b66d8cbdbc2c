// CPU and memory of a server process and its descendants (the embedded PostgreSQL: postmaster and
// backends), read from /proc. Linux only, like the embedded PostgreSQL itself.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_S = 100; // USER_HZ: 100 on every Linux x64 build

type ProcEntry = { pid: number; ppid: number; comm: string; cpuTicks: number };

function readStat(pid: number): ProcEntry | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after it start at the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is state (field 3); utime, stime, cutime, cstime are fields 14-17. The c-times hold
    // reaped children (PostgreSQL backends after they exit), so the tree's total never loses them.
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    return { pid, ppid: Number(fields[1]), comm, cpuTicks: utime! + stime! + cutime! + cstime! };
  } catch {
    return undefined; // gone meanwhile
  }
}

function descendantsAndSelf(rootPid: number): ProcEntry[] {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => readStat(Number(name))).filter((entry) => entry !== undefined);
  const byParent = new Map<number, ProcEntry[]>();
  for (const entry of all) byParent.set(entry.ppid, [...(byParent.get(entry.ppid) ?? []), entry]);
  const root = all.find((entry) => entry.pid === rootPid);
  if (!root) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(byParent.get(tree[i]!.pid) ?? []));
  return tree;
}

/** kB from /proc/<pid>/<file>'s `<field>:` line; 0 when the process is gone. */
function memoryKb(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  try {
    const match = readFileSync(`/proc/${pid}/${file}`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export type TreeSample = {
  /** CPU seconds so far: the server process itself (all its threads), and its PostgreSQL processes. */
  serverCpuS: number;
  postgresCpuS: number;
  /** RSS of the server process; PSS of the PostgreSQL processes summed (shared buffers counted once). */
  serverRssMb: number;
  postgresPssMb: number;
};

export function sampleTree(rootPid: number): TreeSample {
  const tree = descendantsAndSelf(rootPid);
  const postgres = tree.filter((entry) => entry.pid !== rootPid && entry.comm.startsWith('postgres'));
  const root = tree.find((entry) => entry.pid === rootPid);
  return {
    serverCpuS: (root?.cpuTicks ?? 0) / CLOCK_TICKS_PER_S,
    postgresCpuS: postgres.reduce((sum, entry) => sum + entry.cpuTicks, 0) / CLOCK_TICKS_PER_S,
    serverRssMb: memoryKb(rootPid, 'status', 'VmRSS') / 1024,
    postgresPssMb: postgres.reduce((sum, entry) => sum + memoryKb(entry.pid, 'smaps_rollup', 'Pss'), 0) / 1024,
  };
}

/** The machine's CPU time so far, all cores (from /proc/stat's first line): busy and idle (iowait counted idle). */
export function machineCpuTicks(): { busy: number; idle: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
  return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
}
