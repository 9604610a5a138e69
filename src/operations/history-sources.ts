import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryAndWorkflowId, WorkflowClient } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';

/** Where recorded transfers come from: the cluster by id or visibility query, or exported JSON files. */
export type HistorySource =
  | { kind: 'workflow'; workflowIds: string[] }
  | { kind: 'query'; query: string; limit?: number }
  | { kind: 'file'; files: string[] };

/** Every run each source names, one history at a time. */
export async function* histories(source: HistorySource, client?: WorkflowClient): AsyncIterable<HistoryAndWorkflowId> {
  if (source.kind === 'file') {
    // A shell glob over a fixtures folder also names the sidecars: they describe a history, they are not one.
    for (const file of source.files.filter((name) => !name.endsWith('.meta.json'))) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      const metaFile = file.replace(/\.json$/, '.meta.json');
      let workflowId = path.basename(file, '.json');
      try {
        workflowId = (JSON.parse(readFileSync(metaFile, 'utf8')) as { workflowId?: string }).workflowId ?? workflowId;
      } catch {
        // No sidecar: the file name stands in for the id, which is only used for reporting.
      }
      yield { workflowId, history: historyFromJSON(json) };
    }
    return;
  }
  if (!client) throw new Error('reading histories from the cluster needs a client');
  if (source.kind === 'workflow') {
    for (const workflowId of source.workflowIds) yield { workflowId, history: await client.getHandle(workflowId).fetchHistory() };
    return;
  }
  let count = 0;
  for await (const item of client.list({ query: source.query }).intoHistories({ concurrency: 5 })) {
    yield item;
    count += 1;
    if (source.limit !== undefined && count >= source.limit) return;
  }
}
