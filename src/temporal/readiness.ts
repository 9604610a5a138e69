import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface Readiness {
  ready: boolean;
  temporal: 'reachable' | 'unreachable';
  workflowPollers: number;
}

/** Ready means: the cluster answers and at least one worker has polled the transfer task queue recently. */
export function createReadinessCheck(client: Client, taskQueue: string): () => Promise<Readiness> {
  return async () => {
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
}
