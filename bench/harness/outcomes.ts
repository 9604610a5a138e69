import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TransferOutcomeAttribute, VapiCallId } from '../../src/contracts';

const STATUS = temporal.api.enums.v1.WorkflowExecutionStatus;

/** A keyword search attribute of a raw description: plain JSON, never through the payload codec. */
function keyword(info: temporal.api.workflow.v1.IWorkflowExecutionInfo | null | undefined, name: string): string | undefined {
  const data = info?.searchAttributes?.indexedFields?.[name]?.data;
  if (!data) return undefined;
  const value: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/**
 * What each transfer workflow recorded as its outcome, by Vapi call id, read from the `TransferOutcome` search
 * attribute. The raw description is read, not the client's decoded one: the memo is encrypted and the harness
 * holds no key. A workflow still running reads `running`; one that ended without an outcome reads its status
 * (`failed`, `timed_out`, …); one that cannot be described is left out.
 */
export async function recordedOutcomes(address: string, workflowIds: readonly string[], concurrency = 4): Promise<Map<string, string>> {
  const connection = await Connection.connect({ address });
  const outcomes = new Map<string, string>();
  try {
    let next = 0;
    const reader = async () => {
      while (next < workflowIds.length) {
        const workflowId = workflowIds[next++]!;
        const description = await connection.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId } }).catch(() => null);
        const info = description?.workflowExecutionInfo;
        const callId = keyword(info, VapiCallId.name);
        if (!callId) continue;
        const status = STATUS[info?.status ?? STATUS.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED] ?? 'unknown-status';
        outcomes.set(callId, keyword(info, TransferOutcomeAttribute.name) ?? status.replace('WORKFLOW_EXECUTION_STATUS_', '').toLowerCase());
      }
    };
    await Promise.all(Array.from({ length: concurrency }, reader));
  } finally {
    await connection.close();
  }
  return outcomes;
}
