import type { WorkflowClient } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { AgentLiveState, AgentState } from '../contracts';
import {
  AGENT_WORKFLOW_TYPE,
  agentStateQuery,
  agentWorkflowId,
  liveState,
  newAgentState,
  releaseAgentUpdate,
  reserveAgentUpdate,
  setAgentStatusUpdate,
} from '../contracts';
import type { agent } from '../workflows';

/** Agents' live state and reservations, as activities and the operator API use them. */
export interface AgentDirectory {
  /**
   * Reserves the first candidate, in order, that is available and has room; null when none has. One
   * reservation per transfer: repeating the call for the same transfer is safe.
   */
  reserve(request: { transferId: string; candidates: readonly { agentId: string; maxConcurrent: number }[]; ttlSeconds: number }): Promise<string | null>;
  /** Frees what the transfer holds on this agent; idempotent. */
  release(transferId: string, agentId: string): Promise<void>;
  setStatus(agentId: string, status: AgentLiveState['status']): Promise<AgentLiveState>;
  /**
   * Live state of these agents. May be up to `maxAgeMs` old unless `fresh`: routing reads a recent view and
   * the reservation, checked inside each agent's workflow, stays authoritative.
   */
  liveStates(agentIds: readonly string[], options?: { fresh?: boolean }): Promise<Record<string, AgentLiveState>>;
}

export type AgentWorkflowClient = Pick<WorkflowClient, 'getHandle' | 'executeUpdateWithStart' | 'withDeadline'>;

/**
 * Each agent is its own `agent` workflow, reached by Update; the first update to an agent starts its
 * workflow (Update-with-Start). Every state an update returns, and every read, lands in a per-process view
 * that routing reads without a round trip; the view is refreshed in the background once it is older than
 * `maxAgeMs`.
 */
export class TemporalAgentDirectory implements AgentDirectory {
  private readonly known = new Map<string, AgentState>();
  private refreshedAt = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly client: AgentWorkflowClient,
    private readonly taskQueue: string,
    private readonly options: { maxAgeMs?: number; now?: () => number; onRefreshError?: (error: unknown) => void } = {},
  ) {}

  async reserve(request: Parameters<AgentDirectory['reserve']>[0]): Promise<string | null> {
    for (const candidate of request.candidates) {
      const { reserved } = await this.update(candidate.agentId, reserveAgentUpdate, {
        transferId: request.transferId,
        maxConcurrent: candidate.maxConcurrent,
        ttlSeconds: request.ttlSeconds,
      });
      if (reserved) return candidate.agentId;
    }
    return null;
  }

  async release(transferId: string, agentId: string): Promise<void> {
    await this.update(agentId, releaseAgentUpdate, { transferId });
  }

  async setStatus(agentId: string, status: AgentLiveState['status']): Promise<AgentLiveState> {
    return liveState(await this.update(agentId, setAgentStatusUpdate, { status }), this.now());
  }

  async liveStates(agentIds: readonly string[], options: { fresh?: boolean } = {}): Promise<Record<string, AgentLiveState>> {
    const stale = this.now() - this.refreshedAt > (this.options.maxAgeMs ?? 2_000);
    if (options.fresh || this.refreshedAt === 0) await this.refresh(agentIds);
    else if (stale) void this.refresh(agentIds).catch((error: unknown) => this.options.onRefreshError?.(error));
    const now = this.now();
    return Object.fromEntries(agentIds.map((agentId) => [agentId, liveState(this.known.get(agentId) ?? newAgentState(), now)]));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** One read of every agent at a time; callers arriving meanwhile share it. */
  private refresh(agentIds: readonly string[]): Promise<void> {
    this.refreshing ??= Promise.all(
      agentIds.map(async (agentId) => {
        // Bounded: a refresh must never outlive its caller's interest (or its process's connection).
        const state = await this.client
          .withDeadline(Date.now() + 2_000, () => this.client.getHandle(agentWorkflowId(this.taskQueue, agentId)).query(agentStateQuery))
          .catch((error: unknown) => {
            if (error instanceof WorkflowNotFoundError) return newAgentState();
            throw error;
          });
        this.known.set(agentId, state);
      }),
    )
      .then(() => {
        this.refreshedAt = this.now();
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** A plain Update while the agent's workflow runs (one RPC); Update-with-Start the first time. */
  private async update<Ret extends AgentState | { state: AgentState }, Arg>(agentId: string, definition: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
    const workflowId = agentWorkflowId(this.taskQueue, agentId);
    let result: Ret;
    try {
      result = await this.client.getHandle(workflowId).executeUpdate(definition, { args: [arg] });
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      result = await this.client.executeUpdateWithStart(definition, {
        args: [arg],
        startWorkflowOperation: new WithStartWorkflowOperation<typeof agent>(AGENT_WORKFLOW_TYPE, {
          workflowId,
          taskQueue: this.taskQueue,
          args: [],
          workflowIdConflictPolicy: 'USE_EXISTING',
          staticSummary: `Agent ${agentId}: availability and reservations`,
        }),
      });
    }
    this.known.set(agentId, 'state' in result ? result.state : result);
    return result;
  }
}
