import { Client, Connection } from '@temporalio/client';
import { TransferOutcomeAttribute, VapiCallId } from '../../src/contracts';

/**
 * What each transfer workflow recorded as its outcome, by Vapi call id, read from the `TransferOutcome` search
 * attribute (plain text, so no payload key is needed). A workflow still running reads `running`; one that ended
 * without an outcome reads its status (`failed`, `timed_out`, …); one that cannot be described is left out.
 */
export async function recordedOutcomes(address: string, workflowIds: readonly string[], concurrency = 4): Promise<Map<string, string>> {
  const connection = await Connection.connect({ address });
  const outcomes = new Map<string, string>();
  try {
    const client = new Client({ connection });
    let next = 0;
    const reader = async () => {
      while (next < workflowIds.length) {
        const workflowId = workflowIds[next++]!;
        const description = await client.workflow.getHandle(workflowId).describe().catch(() => null);
        if (!description) continue;
        const callId = description.typedSearchAttributes.get(VapiCallId);
        if (!callId) continue;
        const outcome = description.typedSearchAttributes.get(TransferOutcomeAttribute);
        outcomes.set(callId, outcome ?? description.status.name.toLowerCase());
      }
    };
    await Promise.all(Array.from({ length: concurrency }, reader));
  } finally {
    await connection.close();
  }
  return outcomes;
}
