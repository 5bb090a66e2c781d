import { readFile } from 'node:fs/promises';

// CPU time of other processes, from Linux's /proc: where a benchmark's processes share the machine
// (the service and its load on the same two cores), how much of a phase each one used says which of
// them bounds it. Clock ticks are 1/100 s on Linux (USER_HZ).

const ticksPerSecond = 100;

/** User and system CPU seconds `pid` has used so far (every thread of it); undefined off Linux. */
export const processCpuSeconds = async (pid: number | undefined): Promise<number | undefined> => {
  if (pid === undefined) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
};

/** CPU seconds the whole machine spent busy (every core, every process) so far. */
export const machineBusySeconds = async (): Promise<number | undefined> => {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const cpu = stat?.split('\n')[0]?.split(/\s+/).slice(1).map(Number);
  if (cpu === undefined) return undefined;
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
  return (user + nice + system + irq + softirq + steal) / ticksPerSecond;
};
