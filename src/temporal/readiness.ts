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
  /** Reported, never a reason for not ready: transfers go on without the CRM (callers are routed as anonymous). */
  crm?: { kind: string; status: 'reachable' | 'unreachable'; error?: string };
}

/** The CRM as readiness sees it: a cheap, bounded round trip. */
export interface CrmProbe {
  readonly kind: string;
  check(): Promise<void>;
}

/**
 * Well inside the 1 s a readiness probe typically allows: without it the client's own retries of an
 * unreachable server make the probe wait ~19 s, and the probe times out instead of reading "not ready".
 */
export const READINESS_TIMEOUT_MS = 700;

/** Settles with `work`, or rejects once `timeoutMs` has passed, whichever comes first. */
async function within<T>(timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ready means: the cluster answers and at least one worker has polled the transfer task queue recently. The
 * CRM is checked alongside and reported. Both checks are bounded, so the probe answers within `timeoutMs`.
 */
export function createReadinessCheck(
  client: Client,
  taskQueue: string,
  options: { target?: Pick<TemporalTarget, 'address' | 'addressSetBy'>; crm?: CrmProbe; timeoutMs?: number } = {},
): () => Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  const where = options.target ? describeTarget(options.target) : 'Temporal';
  const checkTemporal = async (): Promise<Readiness> => {
    try {
      // The client's retry of UNAVAILABLE sleeps between tries and may overshoot the gRPC deadline by that
      // sleep; the probe's answer must not.
      const response = await within(
        timeoutMs,
        client.connection.withDeadline(Date.now() + timeoutMs, () =>
          client.workflowService.describeTaskQueue({
            namespace: client.options.namespace,
            taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
          }),
        ),
      );
      const workflowPollers = response.pollers?.length ?? 0;
      return workflowPollers > 0
        ? { ready: true, temporal: 'reachable', workflowPollers }
        : { ready: false, temporal: 'reachable', workflowPollers, reason: `no worker is polling task queue ${taskQueue} (start one: npm run start:worker)` };
    } catch (error) {
      const why = /DEADLINE_EXCEEDED/.test(String((error as Error)?.message)) ? `no answer within ${timeoutMs} ms` : connectionErrorReason(error);
      return { ready: false, temporal: 'unreachable', workflowPollers: 0, reason: `${where} is unreachable: ${why}` };
    }
  };
  const checkCrm = async (probe: CrmProbe): Promise<NonNullable<Readiness['crm']>> => {
    try {
      await within(timeoutMs, probe.check());
      return { kind: probe.kind, status: 'reachable' };
    } catch (error) {
      // Adapter errors name the operation and a status or code, never data or credentials.
      return { kind: probe.kind, status: 'unreachable', error: error instanceof Error ? error.message : 'unknown error' };
    }
  };
  return async () => {
    const [readiness, crm] = await Promise.all([checkTemporal(), options.crm ? checkCrm(options.crm) : undefined]);
    return crm ? { ...readiness, crm } : readiness;
  };
}
