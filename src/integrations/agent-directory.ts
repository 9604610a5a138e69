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

/** A transfer's reservation request: the ranked agents to try, each with its capacity from the routing file. */
export interface ReservationRequest {
  /** The transfer workflow id: the reservation's idempotency key. */
  transferId: string;
  /** In the order routing ranked them; the first with room is reserved. */
  candidates: readonly { agentId: string; maxConcurrent: number }[];
  ttlSeconds: number;
}

/** Agents' live state and reservations, as activities and the operator API use them. */
export interface AgentDirectory {
  /**
   * Reserves the first candidate, in order, that is available and has room; null when none has. One
   * reservation per transfer: repeating the call for the same transfer is safe.
   */
  reserve(request: ReservationRequest): Promise<string | null>;
  /** Frees what the transfer holds on this agent; idempotent. */
  release(transferId: string, agentId: string): Promise<void>;
  setStatus(agentId: string, status: AgentLiveState['status']): Promise<AgentLiveState>;
  /**
   * Live state of these agents. Unless `fresh`, as this process last saw them (an agent it never touched
   * counts as available and idle): routing reads this view, and the reservation, checked inside each agent's
   * workflow, stays authoritative.
   */
  liveStates(agentIds: readonly string[], options?: { fresh?: boolean }): Promise<Record<string, AgentLiveState>>;
}

export type AgentWorkflowClient = Pick<WorkflowClient, 'getHandle' | 'executeUpdateWithStart' | 'withDeadline'>;

/**
 * Each agent is its own `agent` workflow, reached by Update; the first update to an agent starts its
 * workflow (Update-with-Start). Every state an update returns lands in a per-process view that routing reads
 * without a round trip. Only what the view may have wrong in a way that matters is read back: an agent it
 * shows busy or offline may have been freed by another process meanwhile, so such agents are queried again
 * once their entry is older than `maxAgeMs`. An agent it shows available needs no read: the reservation,
 * checked inside that agent's workflow, refuses it if it is not, and returns its state.
 */
export class TemporalAgentDirectory implements AgentDirectory {
  private readonly known = new Map<string, { state: AgentState; at: number }>();
  private readonly refreshing = new Map<string, Promise<void>>();
  /** The last update queued for each agent: this process sends an agent one update at a time. */
  private readonly queued = new Map<string, Promise<unknown>>();
  /** Reservations this process is making right now, per agent: counted busy until they are answered. */
  private readonly reserving = new Map<string, number>();

  constructor(
    private readonly client: AgentWorkflowClient,
    private readonly taskQueue: string,
    private readonly options: { maxAgeMs?: number; now?: () => number; onRefreshError?: (error: unknown) => void } = {},
  ) {}

  async reserve(request: ReservationRequest): Promise<string | null> {
    for (const { agentId, maxConcurrent } of request.candidates) {
      // Counted busy while the answer is awaited, so transfers routed meanwhile rank the next agent first
      // instead of queueing behind this one.
      this.reserving.set(agentId, (this.reserving.get(agentId) ?? 0) + 1);
      try {
        const { reserved } = await this.update(agentId, reserveAgentUpdate, { transferId: request.transferId, maxConcurrent, ttlSeconds: request.ttlSeconds });
        if (reserved) return agentId;
      } finally {
        this.reserving.set(agentId, this.reserving.get(agentId)! - 1);
      }
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
    const now = this.now();
    if (options.fresh) {
      await Promise.all(agentIds.map((agentId) => this.refresh(agentId)));
    } else {
      const maxAgeMs = this.options.maxAgeMs ?? 2_000;
      for (const agentId of agentIds) {
        const entry = this.known.get(agentId);
        if (!entry || now - entry.at <= maxAgeMs) continue;
        const live = liveState(entry.state, now);
        if (live.status === 'offline' || live.activeTransfers > 0) void this.refresh(agentId).catch((error: unknown) => this.options.onRefreshError?.(error));
      }
    }
    return Object.fromEntries(
      agentIds.map((agentId) => {
        const live = liveState(this.known.get(agentId)?.state ?? newAgentState(), this.now());
        return [agentId, { ...live, activeTransfers: live.activeTransfers + (this.reserving.get(agentId) ?? 0) }];
      }),
    );
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private learn(agentId: string, state: AgentState): void {
    this.known.set(agentId, { state, at: this.now() });
  }

  /** Reads one agent's state; callers arriving while a read of that agent is in flight share it. */
  private refresh(agentId: string): Promise<void> {
    let reading = this.refreshing.get(agentId);
    if (!reading) {
      // Bounded: a read must never outlive its caller's interest (or its process's connection).
      reading = this.client
        .withDeadline(Date.now() + 2_000, () => this.client.getHandle(agentWorkflowId(this.taskQueue, agentId)).query(agentStateQuery))
        .catch((error: unknown) => {
          if (error instanceof WorkflowNotFoundError) return newAgentState();
          throw error;
        })
        .then((state) => this.learn(agentId, state))
        .finally(() => this.refreshing.delete(agentId));
      this.refreshing.set(agentId, reading);
    }
    return reading;
  }

  /**
   * One update at a time per agent from this process. The server refuses more than a few concurrent updates
   * of one workflow (RESOURCE_EXHAUSTED, retried by the client after a pause of up to a second): at 20
   * transfers/s, reservations piling onto the same agent failed that way. Queued here they wait their turn.
   */
  private update<Ret extends AgentState | { state: AgentState }, Arg>(agentId: string, definition: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
    const turn = (this.queued.get(agentId) ?? Promise.resolve()).catch(() => undefined).then(() => this.send(agentId, definition, arg));
    this.queued.set(agentId, turn);
    void turn.catch(() => undefined).finally(() => {
      if (this.queued.get(agentId) === turn) this.queued.delete(agentId);
    });
    return turn;
  }

  /** A plain Update while the agent's workflow runs (one RPC); Update-with-Start the first time. */
  private async send<Ret extends AgentState | { state: AgentState }, Arg>(agentId: string, definition: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
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
    this.learn(agentId, 'state' in result ? result.state : result);
    return result;
  }
}
