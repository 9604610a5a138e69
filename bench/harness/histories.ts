import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { localActivityMarker } from '../../src/operations/transfer-history';

export type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * Reads workflow histories `concurrency` at a time and hands each to `visit` as it arrives, so thousands of
 * histories (a soak's) can be read without holding them all. A workflow that cannot be read is reported as null.
 */
export async function forEachHistory(
  address: string,
  workflowIds: readonly string[],
  visit: (workflowId: string, history: History | null) => void | Promise<void>,
  options: { concurrency?: number } = {},
): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    let next = 0;
    const worker = async () => {
      while (next < workflowIds.length) {
        const workflowId = workflowIds[next++]!;
        const history = await client.workflow.getHandle(workflowId).fetchHistory().catch(() => null);
        await visit(workflowId, history);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  } finally {
    await connection.close();
  }
}

/** Every run of a workflow id, oldest first (the floor continues as new), each run's whole history. */
export async function readAllRuns(address: string, workflowId: string): Promise<HistoryEvent[][]> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    // Raw visibility: the client's list would decode memos, which the harness holds no key for.
    const runs: { runId: string; startedAt: number }[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.listWorkflowExecutions({ namespace: 'default', query: `WorkflowId = '${workflowId}'`, ...(nextPageToken ? { nextPageToken } : {}) });
      for (const execution of page.executions ?? []) {
        const start = execution.startTime;
        runs.push({ runId: execution.execution?.runId ?? '', startedAt: Number(start?.seconds ?? 0) * 1000 + (start?.nanos ?? 0) / 1e6 });
      }
      nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
    } while (nextPageToken);
    runs.sort((a, b) => a.startedAt - b.startedAt);
    const histories: HistoryEvent[][] = [];
    for (const run of runs) histories.push((await client.workflow.getHandle(workflowId, run.runId).fetchHistory()).events ?? []);
    return histories;
  } finally {
    await connection.close();
  }
}

/** The histories of a few workflows (samples), in the order asked; unreadable ones left out. */
export async function fetchHistories(address: string, workflowIds: readonly string[]): Promise<{ workflowId: string; history: History }[]> {
  const found = new Map<string, History>();
  await forEachHistory(address, workflowIds, (workflowId, history) => {
    if (history) found.set(workflowId, history);
  });
  return workflowIds.filter((id) => found.has(id)).map((workflowId) => ({ workflowId, history: found.get(workflowId)! }));
}

/** The largest payload of a history: its encoded size and the event that carries it. */
export interface LargestPayload {
  bytes: number;
  /** The event kind (e.g. `markerRecorded`), and for a local activity's marker the activity. */
  where: string;
}

export interface HistorySizes {
  histories: number;
  /** Protobuf-encoded size of the whole History, as the server stores and sends it. */
  medianBytes: number;
  maxBytes: number;
  medianEvents: number;
  largestPayload: LargestPayload | null;
}

function isPayload(value: object): value is temporal.api.common.v1.IPayload {
  return 'data' in value && (value as { data?: unknown }).data instanceof Uint8Array && 'metadata' in value;
}

/** Every payload anywhere in an event (inputs, results, marker details, memo, headers, failures' details). */
function payloadsOf(value: unknown, found: temporal.api.common.v1.IPayload[] = []): temporal.api.common.v1.IPayload[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  if (isPayload(value)) {
    found.push(value);
    return found;
  }
  for (const child of Array.isArray(value) ? value : Object.values(value)) payloadsOf(child, found);
  return found;
}

function eventKind(event: HistoryEvent): string {
  const key = Object.keys(event).find((name) => name.endsWith('EventAttributes') && (event as Record<string, unknown>)[name] != null);
  const kind = key ? key.replace(/EventAttributes$/, '') : 'event';
  const local = localActivityMarker(event);
  return local ? `${kind} (${local.activity})` : kind;
}

export function largestPayload(history: History): LargestPayload | null {
  let largest: LargestPayload | null = null;
  for (const event of history.events ?? []) {
    for (const payload of payloadsOf(event)) {
      const bytes = temporal.api.common.v1.Payload.encode(payload).finish().length;
      if (!largest || bytes > largest.bytes) largest = { bytes, where: eventKind(event) };
    }
  }
  return largest;
}

export function historyBytes(history: History): number {
  return temporal.api.history.v1.History.encode(history).finish().length;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;

export function historySizes(histories: readonly History[]): HistorySizes | null {
  if (histories.length === 0) return null;
  const bytes = histories.map(historyBytes);
  const largest = histories.map(largestPayload).reduce<LargestPayload | null>((best, next) => (next && (!best || next.bytes > best.bytes) ? next : best), null);
  return {
    histories: histories.length,
    medianBytes: median(bytes),
    maxBytes: Math.max(...bytes),
    medianEvents: median(histories.map((history) => history.events?.length ?? 0)),
    largestPayload: largest,
  };
}
