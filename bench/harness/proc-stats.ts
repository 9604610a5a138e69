import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** One reading of a process from /proc: CPU time so far and resident memory now. */
export interface ProcSample {
  cpuSeconds: number;
  rssBytes: number;
  /** Peak resident memory over the process's life (VmHWM). */
  peakRssBytes: number;
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Parses /proc/<pid>/stat and /proc/<pid>/status texts (exported for tests; Linux layout). */
export function parseProc(statText: string, statusText: string): ProcSample {
  // The command name is parenthesised and may itself contain spaces or parentheses: split after the last ')'.
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // After the name, field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
  const ticks = Number(fields[11]) + Number(fields[12]);
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(statusText)?.[1] ?? 0) * 1024;
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

export function readProc(pid: number): ProcSample | null {
  try {
    return parseProc(readFileSync(`/proc/${pid}/stat`, 'utf8'), readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null; // exited (or not Linux)
  }
}

/** Busy and total CPU time of the whole machine so far, from the first line of /proc/stat (in ticks). */
export function readMachineTicks(statText?: string): { busy: number; total: number } | null {
  try {
    const line = (statText ?? readFileSync('/proc/stat', 'utf8')).split('\n')[0]!;
    const [, ...values] = line.trim().split(/\s+/);
    const ticks = values.map(Number);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export interface ProcessUsage {
  name: string;
  /** Average CPU over the window; 100 = one core busy all the time. */
  cpuPercent: number;
  cpuSeconds: number;
  rssMbMean: number;
  rssMbPeak: number;
  samples: number;
}

interface UsageState {
  lastByPid: Map<number, number>;
  cpuSeconds: number;
  rss: number[];
  peak: number;
}

/**
 * Samples named processes every `intervalMs` while a phase runs. A pid is asked for at each sample, so a
 * process the chaos suite kills and restarts is followed to its new pid; CPU is summed over all its pids.
 */
export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private stoppedAt = 0;
  private readonly state = new Map<string, UsageState>();

  private machineStart: { busy: number; total: number } | null = null;
  /** Set by stop(): the whole machine's CPU over the window, 100 = one core. */
  machineCpuPercent = Number.NaN;

  constructor(
    private readonly targets: () => { name: string; pid: number | undefined }[],
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.machineStart = readMachineTicks();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): ProcessUsage[] {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    this.stoppedAt = performance.now();
    const seconds = Math.max(0.001, (this.stoppedAt - this.startedAt) / 1000);
    const machineEnd = readMachineTicks();
    if (this.machineStart && machineEnd) {
      // /proc/stat counts every core: busy share of all ticks × cores = cores busy, as a percentage of one core.
      const cores = Math.max(1, os.availableParallelism());
      this.machineCpuPercent = ((machineEnd.busy - this.machineStart.busy) / Math.max(1, machineEnd.total - this.machineStart.total)) * cores * 100;
    }
    return [...this.state.entries()].map(([name, entry]) => ({
      name,
      cpuPercent: (entry.cpuSeconds / seconds) * 100,
      cpuSeconds: entry.cpuSeconds,
      rssMbMean: entry.rss.length > 0 ? entry.rss.reduce((a, b) => a + b, 0) / entry.rss.length / 2 ** 20 : 0,
      rssMbPeak: entry.peak / 2 ** 20,
      samples: entry.rss.length,
    }));
  }

  private sample(): void {
    for (const { name, pid } of this.targets()) {
      const entry: UsageState = this.state.get(name) ?? { lastByPid: new Map(), cpuSeconds: 0, rss: [], peak: 0 };
      this.state.set(name, entry);
      if (pid === undefined) continue;
      const reading = readProc(pid);
      if (!reading) continue;
      const last = entry.lastByPid.get(pid);
      if (last !== undefined) entry.cpuSeconds += reading.cpuSeconds - last;
      entry.lastByPid.set(pid, reading.cpuSeconds);
      entry.rss.push(reading.rssBytes);
      entry.peak = Math.max(entry.peak, reading.rssBytes);
    }
  }
}
