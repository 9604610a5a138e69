import type { WorkflowClient } from '@temporalio/client';
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

  /**
   * A burst of Update-with-Start calls on a pool that is not running yet can race its creation; every
   * update here is idempotent (one reservation per transfer), so a transient failure is simply retried.
   * A rejected or failed update (validation) is final.
   */
  private async withRetry<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError || attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  reserve(request: ReserveAgentRequest): Promise<{ agentId: string | null }> {
    return this.withRetry(() =>
      this.client.executeUpdateWithStart(reserveAgentUpdate, { args: [request], startWorkflowOperation: this.startOperation() }),
    );
  }

  release(transferId: string): Promise<{ released: string[] }> {
    return this.withRetry(() =>
      this.client.executeUpdateWithStart(releaseAgentUpdate, { args: [{ transferId }], startWorkflowOperation: this.startOperation() }),
    );
  }

  setStatus(agentId: string, status: AgentLiveState['status']): Promise<AgentLiveState> {
    return this.withRetry(() =>
      this.client.executeUpdateWithStart(setAgentStatusUpdate, { args: [{ agentId, status }], startWorkflowOperation: this.startOperation() }),
    );
  }
}
