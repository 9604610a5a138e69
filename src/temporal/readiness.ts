import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TemporalTarget } from './connection';
import { connectionErrorReason, describeTarget } from './connection';

export interface Readiness {
  ready: boolean;
  temporal: 'reachable' | 'unreachable';
  workflowPollers: number;
  /** Why it is not ready, for the operator reading the probe (absent when ready). */
  reason?: string;
}

/**
 * Well inside the 1 s a readiness probe typically allows: without it the client's own retries of an
 * unreachable server make the probe wait ~19 s, and the probe times out instead of reading "not ready".
 */
export const READINESS_TIMEOUT_MS = 700;

/** Ready means: the cluster answers and at least one worker has polled the transfer task queue recently. */
export function createReadinessCheck(
  client: Client,
  taskQueue: string,
  target?: Pick<TemporalTarget, 'address' | 'addressSetBy'>,
  timeoutMs: number = READINESS_TIMEOUT_MS,
): () => Promise<Readiness> {
  const where = target ? describeTarget(target) : 'Temporal';
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const call = client.connection.withDeadline(Date.now() + timeoutMs, () =>
        client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      // The client's retry of UNAVAILABLE sleeps between tries and may overshoot the gRPC deadline by that sleep;
      // the probe's answer must not.
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      call.catch(() => undefined);
      const response = await Promise.race([call, late]);
      const workflowPollers = response.pollers?.length ?? 0;
      return workflowPollers > 0
        ? { ready: true, temporal: 'reachable', workflowPollers }
        : { ready: false, temporal: 'reachable', workflowPollers, reason: `no worker is polling task queue ${taskQueue} (start one: npm run start:worker)` };
    } catch (error) {
      const why = /DEADLINE_EXCEEDED/.test(String((error as Error)?.message)) ? `no answer within ${timeoutMs} ms` : connectionErrorReason(error);
      return { ready: false, temporal: 'unreachable', workflowPollers: 0, reason: `${where} is unreachable: ${why}` };
    } finally {
      clearTimeout(timer);
    }
  };
}
