/** Counters of the Temporal dev server's own Prometheus endpoint, to show how much server work one transfer costs. */
export type Counters = Map<string, number>;

/** Sums `metric` samples by one label (e.g. persistence_requests by operation), from Prometheus text. */
export function sumByLabel(text: string, metric: string, label: string): Counters {
  const counters: Counters = new Map();
  const pattern = new RegExp(`^${metric}\\{([^}]*)\\} ([0-9.eE+-]+)$`);
  for (const line of text.split('\n')) {
    const match = pattern.exec(line);
    if (!match) continue;
    const value = new RegExp(`(?:^|,)${label}="([^"]*)"`).exec(match[1]!)?.[1] ?? '(none)';
    counters.set(value, (counters.get(value) ?? 0) + Number(match[2]));
  }
  return counters;
}

export function difference(after: Counters, before: Counters): Counters {
  const result: Counters = new Map();
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta > 0) result.set(key, delta);
  }
  return result;
}

/**
 * The frontend calls that reach entity workflows (agents' state and reservations): queries, Updates,
 * Update-with-Start (a multi-operation) and the polls for an Update's result.
 */
export const QUERY_AND_UPDATE_OPERATIONS = ['QueryWorkflow', 'UpdateWorkflowExecution', 'ExecuteMultiOperation', 'PollWorkflowExecutionUpdate'] as const;
export type QueryOrUpdateOperation = (typeof QUERY_AND_UPDATE_OPERATIONS)[number];

export interface ServerWork {
  /** Persistence (SQLite) requests per transfer, by operation, largest first. */
  persistencePerTransfer: { operation: string; count: number }[];
  persistenceTotalPerTransfer: number;
  /** Frontend API calls per transfer, by method, largest first. */
  apiCallsPerTransfer: { operation: string; count: number }[];
  /** Queries and Updates over the phase: how many in all, and per transfer (two decimals; zeros kept). */
  queriesAndUpdates: { total: Record<QueryOrUpdateOperation, number>; perTransfer: Record<QueryOrUpdateOperation, number> };
}

export class ServerMetrics {
  private before: { persistence: Counters; api: Counters } | null = null;

  constructor(private readonly url: () => string | undefined) {}

  private async read(): Promise<{ persistence: Counters; api: Counters } | null> {
    const url = this.url();
    if (!url) return null;
    try {
      const text = await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).text();
      return {
        persistence: sumByLabel(text, 'persistence_requests', 'operation'),
        api: sumByLabel(text.split('\n').filter((line) => line.includes('service_name="frontend"')).join('\n'), 'service_requests', 'operation'),
      };
    } catch {
      return null;
    }
  }

  async start(): Promise<void> {
    this.before = await this.read();
  }

  async stop(transfers: number): Promise<ServerWork | null> {
    const after = await this.read();
    if (!after || !this.before || transfers === 0) return null;
    const per = (counters: Counters) =>
      [...counters.entries()]
        .map(([operation, count]) => ({ operation, count: Math.round((count / transfers) * 10) / 10 }))
        .filter((entry) => entry.count >= 0.1)
        .sort((a, b) => b.count - a.count);
    const persistence = difference(after.persistence, this.before.persistence);
    const api = difference(after.api, this.before.api);
    const total = Object.fromEntries(QUERY_AND_UPDATE_OPERATIONS.map((operation) => [operation, api.get(operation) ?? 0])) as Record<QueryOrUpdateOperation, number>;
    return {
      persistencePerTransfer: per(persistence),
      persistenceTotalPerTransfer: Math.round(([...persistence.values()].reduce((a, b) => a + b, 0) / transfers) * 10) / 10,
      apiCallsPerTransfer: per(api),
      queriesAndUpdates: {
        total,
        perTransfer: Object.fromEntries(Object.entries(total).map(([operation, count]) => [operation, Math.round((count / transfers) * 100) / 100])) as Record<QueryOrUpdateOperation, number>,
      },
    };
  }
}
