import type { LineView } from '../contracts';

/** Seconds as an operator reads them: "45 s", "3 min 20 s". */
function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** The service level over the last hour: "9/10 within 60 s", or "none answered yet". */
export function serviceLevel(line: LineView): string {
  const { answered, withinTarget, targetSeconds } = line.serviceLevel;
  return answered === 0 ? `none answered in the last hour (target ${targetSeconds} s)` : `${withinTarget}/${answered} within ${targetSeconds} s in the last hour`;
}

/**
 * Every line for people: who waits, the oldest wait, the service level, callbacks due, then the callers in the
 * order they will be served (transfer ids only: never a phone number).
 */
export function formatLines(lines: readonly LineView[]): string {
  if (lines.length === 0) return 'No department has a line: give one a `queue:` in the routing file (docs/routing-rules.md, "Waiting in line").';
  const out: string[] = [];
  for (const line of lines) {
    const oldest = line.oldestWaitSeconds === null ? '' : `, oldest ${duration(line.oldestWaitSeconds)}`;
    out.push(`${line.department}: ${line.waiting} waiting (at most ${line.maxWaiting})${oldest}; ${serviceLevel(line)}; ${line.callbacksDue} callbacks due`);
    for (const entry of line.entries) {
      out.push(`  ${String(entry.position).padStart(3)}. ${entry.transferId}  waited ${duration(entry.waitedSeconds)}, priority ${entry.priority}${entry.callback ? ', callback' : ''}`);
    }
  }
  return out.join('\n');
}
