/**
 * Open-loop load: requests leave on a fixed timetable whatever the server does, so a slow server cannot
 * slow the load down and hide its own latency (coordinated omission). Latency is measured from the
 * scheduled send time, not from when the generator got round to it.
 */

/** Send offsets in milliseconds from the start, evenly spaced at `ratePerSecond` for `durationSeconds`. */
export function openLoopSchedule(options: { ratePerSecond: number; durationSeconds: number }): number[] {
  const { ratePerSecond, durationSeconds } = options;
  if (!(ratePerSecond > 0) || !(durationSeconds > 0)) return [];
  const count = Math.round(ratePerSecond * durationSeconds);
  const intervalMs = 1000 / ratePerSecond;
  return Array.from({ length: count }, (_, index) => index * intervalMs);
}

/** `count` requests at `ratePerSecond`: a burst is an open-loop schedule cut by count instead of time. */
export function burstSchedule(options: { count: number; ratePerSecond: number }): number[] {
  return openLoopSchedule({ ratePerSecond: options.ratePerSecond, durationSeconds: options.count / options.ratePerSecond });
}

/** Parses `300@100` (count at rate per second). */
export function parseBurst(text: string): { count: number; ratePerSecond: number } {
  const match = /^(\d+)@(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!match) throw new Error(`--burst must look like 300@100 (count@rate), got "${text}"`);
  const count = Number(match[1]);
  const ratePerSecond = Number(match[2]);
  if (count < 1 || ratePerSecond <= 0) throw new Error('--burst needs a positive count and rate');
  return { count, ratePerSecond };
}

export interface OpenLoopRun {
  /** performance.now() of offset 0. */
  startedAt: number;
  /** How late the generator fired its worst request: a large figure means the load machine itself was saturated. */
  maxLagMs: number;
}

/**
 * Fires `fire(index, scheduledAt)` for every offset of `schedule` at its time, never awaiting what it
 * returns. Resolves once everything has been fired (not answered).
 */
export async function runOpenLoop(
  schedule: readonly number[],
  fire: (index: number, scheduledAt: number) => void,
  clock: () => number = () => performance.now(),
): Promise<OpenLoopRun> {
  const startedAt = clock();
  let maxLagMs = 0;
  let next = 0;
  while (next < schedule.length) {
    // Read the clock before each send: a send that blocks makes the following ones late, and that lag is real.
    for (let now = clock(); next < schedule.length && startedAt + schedule[next]! <= now; now = clock()) {
      const scheduledAt = startedAt + schedule[next]!;
      maxLagMs = Math.max(maxLagMs, now - scheduledAt);
      fire(next, scheduledAt);
      next += 1;
    }
    if (next >= schedule.length) break;
    const waitMs = startedAt + schedule[next]! - clock();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
  }
  return { startedAt, maxLagMs };
}
