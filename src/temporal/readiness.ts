import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface Readiness {
  ready: boolean;
  temporal: 'reachable' | 'unreachable';
  workflowPollers: number;
  /** Reported, never a reason for not ready: transfers go on without the CRM (callers are routed as anonymous). */
  crm?: { kind: string; status: 'reachable' | 'unreachable'; error?: string };
}

/** The CRM as readiness sees it: a cheap, bounded round trip. */
export interface CrmProbe {
  readonly kind: string;
  check(): Promise<void>;
}

/** Ready means: the cluster answers and at least one worker has polled the transfer task queue recently. */
export function createReadinessCheck(client: Client, taskQueue: string, crm?: CrmProbe): () => Promise<Readiness> {
  const checkTemporal = async (): Promise<Readiness> => {
    try {
      const response = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      const workflowPollers = response.pollers?.length ?? 0;
      return { ready: workflowPollers > 0, temporal: 'reachable', workflowPollers };
    } catch {
      return { ready: false, temporal: 'unreachable', workflowPollers: 0 };
    }
  };
  const checkCrm = async (probe: CrmProbe): Promise<NonNullable<Readiness['crm']>> => {
    try {
      await probe.check();
      return { kind: probe.kind, status: 'reachable' };
    } catch (error) {
      // Adapter errors name the operation and a status or code, never data or credentials.
      return { kind: probe.kind, status: 'unreachable', error: error instanceof Error ? error.message : 'unknown error' };
    }
  };
  return async () => {
    const [readiness, crmState] = await Promise.all([checkTemporal(), crm ? checkCrm(crm) : undefined]);
    return crmState ? { ...readiness, crm: crmState } : readiness;
  };
}
