import { TRANSFER_OUTCOMES } from '../../contracts';
import type { TransferOutcome } from '../../contracts';
import type { TransferListItem } from '../../operations/transfer-console';

/** The charts and the list cover this long. */
export const WINDOW_MS = 3_600_000;
const MINUTE_MS = 60_000;
const MINUTES = WINDOW_MS / MINUTE_MS;

/**
 * Visibility may show a transfer a little after it closed (Elasticsearch refreshes about every second): each
 * look reaches back this far behind the previous one, and what it finds twice counts once.
 */
export const CLOSE_TIME_OVERLAP_MS = 5_000;

/** Rows sent to the page: enough for a supervisor's screen; the counts and charts cover every transfer. */
const MAX_ROWS = 100;
/** Transfers kept for the last hour (at 20 a second, 72,000 would close in an hour): the oldest go first. */
const MAX_KEPT = 50_000;

/** Outcomes a supervisor must look at first: nothing reached a person, or nobody can tell whether it did. */
const NEEDS_A_LOOK: ReadonlySet<string> = new Set<TransferOutcome>(['failed', 'unknown']);

/** One transfer as the page lists it: search attributes only (no payloads, so nothing a caller said). */
export interface TransferRow {
  workflowId: string;
  runId: string;
  callId: string | null;
  department: string | null;
  agent: string | null;
  outcome: string | null;
  stage: string | null;
  status: string;
  /** Epoch ms. */
  startedAt: number;
  closedAt: number | null;
  latencyMs: number | null;
}

export interface TransfersView {
  /** Transfers running now, oldest first (at most MAX_ROWS). */
  inFlight: TransferRow[];
  inFlightTotal: number;
  /** The last hour's closed transfers: failed and unknown first, then the most recent (at most MAX_ROWS). */
  recent: TransferRow[];
  recentTotal: number;
  /** Runs that ended in the last hour: more than `recentTotal` when a transfer was retried (each retry is a run). */
  runsTotal: number;
  /** The last hour's runs per outcome (a retried transfer's failed run did fail). */
  outcomes: Record<string, number>;
  chart: {
    /** Epoch seconds of each minute, oldest first (MINUTES of them, the last one the current minute). */
    minutes: number[];
    /** Transfers closed in each minute, per outcome. */
    perMinute: Record<string, number[]>;
    /** Webhook → Vapi took the transfer, per minute: median and 95th percentile in ms (null: none that minute). */
    latencyP50: (number | null)[];
    latencyP95: (number | null)[];
  };
}

function rowOf(item: TransferListItem): TransferRow {
  return {
    workflowId: item.workflowId,
    runId: item.runId,
    callId: item.callId,
    department: item.department,
    agent: item.agent,
    outcome: item.outcome,
    stage: item.stage,
    status: item.status,
    startedAt: Date.parse(item.startedAt),
    closedAt: item.closedAt ? Date.parse(item.closedAt) : null,
    latencyMs: item.latencyMs,
  };
}

function percentile(sorted: number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? null;
}

/**
 * The last hour of transfers, fed incrementally: each look at visibility brings only the transfers closed
 * since the previous one (and those running now), so a look costs what is new, not what is kept.
 */
export class TransferWindow {
  /** Closed transfers by run id (a retried transfer has several runs of one workflow id). */
  private readonly closed = new Map<string, TransferRow>();
  private running: TransferRow[] = [];
  /** Epoch ms of the last look that succeeded; null before the first. */
  private lastLook: number | null = null;

  /** Where the next look for closed transfers starts. */
  closedAfter(now: number): Date {
    const start = this.lastLook === null ? now - WINDOW_MS : this.lastLook - CLOSE_TIME_OVERLAP_MS;
    return new Date(Math.max(start, now - WINDOW_MS));
  }

  /** What one look found: the transfers running now and those closed since `closedAfter`, as of `lookedAt`. */
  update(running: TransferListItem[], closed: TransferListItem[], lookedAt: number): void {
    for (const item of closed) this.closed.set(item.runId, rowOf(item));
    const closedRuns = new Set(closed.map((item) => item.runId));
    this.running = running.map(rowOf).filter((row) => !closedRuns.has(row.runId));
    this.lastLook = lookedAt;
    this.prune(lookedAt);
  }

  private prune(now: number): void {
    const oldest = now - WINDOW_MS;
    for (const [runId, row] of this.closed) if ((row.closedAt ?? 0) < oldest) this.closed.delete(runId);
    if (this.closed.size <= MAX_KEPT) return;
    const byAge = [...this.closed.values()].sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0));
    for (const row of byAge.slice(0, this.closed.size - MAX_KEPT)) this.closed.delete(row.runId);
  }

  view(now: number): TransfersView {
    const oldest = now - WINDOW_MS;
    const lastHour = [...this.closed.values()].filter((row) => (row.closedAt ?? 0) >= oldest);
    const firstMinute = Math.floor(now / MINUTE_MS) - MINUTES + 1;
    const minutes = Array.from({ length: MINUTES }, (_, index) => (firstMinute + index) * 60);
    const outcomes: Record<string, number> = Object.fromEntries(TRANSFER_OUTCOMES.map((outcome) => [outcome, 0]));
    const perMinute: Record<string, number[]> = Object.fromEntries(TRANSFER_OUTCOMES.map((outcome) => [outcome, new Array<number>(MINUTES).fill(0)]));
    const latencies: number[][] = Array.from({ length: MINUTES }, () => []);
    for (const row of lastHour) {
      const outcome = row.outcome ?? 'unknown';
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      const index = Math.floor((row.closedAt ?? 0) / MINUTE_MS) - firstMinute;
      if (index < 0 || index >= MINUTES) continue;
      (perMinute[outcome] ??= new Array<number>(MINUTES).fill(0))[index]! += 1;
      if (row.latencyMs !== null) latencies[index]!.push(row.latencyMs);
    }
    for (const bucket of latencies) bucket.sort((a, b) => a - b);
    // A retried transfer is listed once, as its latest run (the charts count every run: each one ended).
    const latest = new Map<string, TransferRow>();
    for (const row of [...lastHour, ...this.running]) {
      const known = latest.get(row.workflowId);
      if (!known || row.startedAt > known.startedAt || (row.startedAt === known.startedAt && row.closedAt === null)) latest.set(row.workflowId, row);
    }
    const isLatest = (row: TransferRow) => latest.get(row.workflowId) === row;
    const recent = lastHour.filter(isLatest).sort(
      (a, b) => Number(NEEDS_A_LOOK.has(b.outcome ?? '')) - Number(NEEDS_A_LOOK.has(a.outcome ?? '')) || (b.closedAt ?? 0) - (a.closedAt ?? 0),
    );
    const inFlight = this.running.filter(isLatest).sort((a, b) => a.startedAt - b.startedAt);
    return {
      inFlight: inFlight.slice(0, MAX_ROWS),
      inFlightTotal: inFlight.length,
      recent: recent.slice(0, MAX_ROWS),
      recentTotal: recent.length,
      runsTotal: lastHour.length,
      outcomes,
      chart: {
        minutes,
        perMinute,
        latencyP50: latencies.map((bucket) => percentile(bucket, 0.5)),
        latencyP95: latencies.map((bucket) => percentile(bucket, 0.95)),
      },
    };
  }
}
