import type { WorkflowClient } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { AgentLiveState } from '../contracts';
import {
  AGENT_POOL_WORKFLOW_TYPE,
  agentPoolQuery,
  agentPoolWorkflowId,
  releaseAgentUpdate,
  reserveAgentUpdate,
  setAgentStatusUpdate,
} from '../contracts';
import type { AgentPoolState, ReserveAgentRequest } from '../contracts';
import type { agentPool } from '../workflows';

/** The agent-pool workflow as activities and the operator API use it. */
export interface AgentPool {
  snapshot(): Promise<AgentPoolState>;
  reserve(request: ReserveAgentRequest): Promise<{ agentId: string | null }>;
  release(transferId: string): Promise<{ released: string[] }>;
  setStatus(agentId: string, status: AgentLiveState['status']): Promise<AgentLiveState>;
}

export type AgentPoolWorkflowClient = Pick<WorkflowClient, 'start' | 'getHandle' | 'executeUpdateWithStart'>;

/** Every call starts the pool if it is not running yet (Update-with-Start, USE_EXISTING): there is no set-up step. */
export class TemporalAgentPool implements AgentPool {
  private readonly workflowId: string;

  constructor(
    private readonly client: AgentPoolWorkflowClient,
    private readonly taskQueue: string,
    /** Updates this process sends the pool at once; the rest wait their turn (see {@link limited}). */
    private readonly maxInFlight = 4,
  ) {
    this.workflowId = agentPoolWorkflowId(taskQueue);
  }

  private startOperation() {
    return new WithStartWorkflowOperation<typeof agentPool>(AGENT_POOL_WORKFLOW_TYPE, {
      workflowId: this.workflowId,
      taskQueue: this.taskQueue,
      args: [],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: 'Agents: availability and reservations',
    });
  }

  async snapshot(): Promise<AgentPoolState> {
    try {
      return await this.client.getHandle(this.workflowId).query(agentPoolQuery);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      await this.client.start<typeof agentPool>(AGENT_POOL_WORKFLOW_TYPE, {
        workflowId: this.workflowId,
        taskQueue: this.taskQueue,
        args: [],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      return { agents: {} };
    }
  }

  /** Updates this process has in flight on the pool, and those queued behind them. */
  private inFlight = 0;
  private readonly queued: (() => void)[] = [];

  /**
   * Caps this process's concurrent updates on the pool. The server admits a bounded number of in-flight
   * updates per workflow (10 by default) and refuses the rest with RESOURCE_EXHAUSTED; a burst of transfers
   * from one worker would otherwise hit that limit and turn into a storm of retries. Queued here, they wait
   * their turn instead.
   */
  private async limited<T>(call: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.maxInFlight) await new Promise<void>((resolve) => this.queued.push(resolve));
    this.inFlight += 1;
    try {
      return await call();
    } finally {
      this.inFlight -= 1;
      this.queued.shift()?.();
    }
  }

  /**
   * Every update here is idempotent (one reservation per transfer), so a transient failure (the pool not
   * running yet, between two runs of continue-as-new, or momentarily refusing updates) is retried with
   * backoff for about three seconds, inside the activity's own timeout. A rejected or failed update
   * (validation) is final.
   */
  private async withRetry<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError || attempt >= 6) throw error;
        const backoff = Math.min(1_000, 100 * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, backoff / 2 + Math.random() * (backoff / 2)));
      }
    }
  }

  /**
   * A plain Update while the pool runs (the common case: one RPC, no start bookkeeping on the server);
   * Update-with-Start only when it is not running yet.
   */
  private update<Ret, Arg>(definition: UpdateDefinition<Ret, [Arg]>, args: [Arg]): Promise<Ret> {
    return this.limited(() =>
      this.withRetry(async () => {
        try {
          return await this.client.getHandle(this.workflowId).executeUpdate(definition, { args });
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          return this.client.executeUpdateWithStart(definition, { args, startWorkflowOperation: this.startOperation() });
        }
      }),
    );
  }

  reserve(request: ReserveAgentRequest): Promise<{ agentId: string | null }> {
    return this.update(reserveAgentUpdate, [request]);
  }

  release(transferId: string): Promise<{ released: string[] }> {
    return this.update(releaseAgentUpdate, [{ transferId }]);
  }

  setStatus(agentId: string, status: AgentLiveState['status']): Promise<AgentLiveState> {
    return this.update(setAgentStatusUpdate, [{ agentId, status }]);
  }
}
