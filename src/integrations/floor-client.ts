import type { WorkflowClient } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import type {
  AgentCriteria,
  AgentLiveState,
  AgentPage,
  AgentPageRequest,
  AgentStatusCommand,
  FloorChanges,
  FloorCommand,
  FloorNotice,
  FloorReply,
  FloorReservation,
  LineView,
  FloorWorkflow,
  ReserveCommand,
  ReserveListedCommand,
  Roster,
} from '../contracts';
import {
  FLOOR_WORKFLOW_TYPE,
  agentPageQuery,
  floorChangesQuery,
  floorCommandsUpdate,
  floorNoticeSignal,
  floorTaskQueue,
  floorWorkflowId,
  dryRunQuery,
  linesQuery,
  liveStatesQuery,
} from '../contracts';

/** The floor as activities and the operator API use it. */
export interface FloorClient {
  reserve(command: ReserveCommand | ReserveListedCommand): Promise<FloorReservation>;
  /** Any command that needs an answer (join-line, …), answered as the floor answers it. */
  command(command: FloorCommand): Promise<FloorReply>;
  setStatus(agentId: string, status: AgentStatusCommand): Promise<FloorReply>;
  syncRoster(roster: Roster): Promise<FloorReply>;
  /** Durable once it returns (a signal); the floor applies it in order with everything else. */
  notify(notice: FloorNotice): Promise<void>;
  page(request: AgentPageRequest): Promise<AgentPage>;
  /** What changed since `sinceRevision` (0: everything), for live views. */
  changes(sinceRevision: number): Promise<FloorChanges>;
  /** Every department's line (empty: no department has one). */
  lines(): Promise<LineView[]>;
  /** What the floor would answer a reservation now, changing nothing. */
  dryRun(criteria: AgentCriteria, line?: ReserveCommand['line']): Promise<FloorReservation>;
  liveStates(department?: string): Promise<{ revision: number; rosterVersion: string; agents: Record<string, AgentLiveState> }>;
}

export type FloorWorkflowClient = Pick<WorkflowClient, 'getHandle' | 'executeUpdateWithStart' | 'signalWithStart' | 'withDeadline'>;

/** A batch never holds more than this (the floor refuses larger ones). */
const MAX_BATCH = 100;

/** How long one round trip to the floor may take before its callers are told it failed. */
const DEADLINE_MS = 4_000;

interface Pending {
  command: FloorCommand;
  resolve: (reply: FloorReply) => void;
  reject: (error: unknown) => void;
}

/**
 * Reaches the floor workflow. Commands that need an answer (reserve, set a status, sync the roster) go out in
 * batches, one batch in flight per process at a time: whatever arrives while a batch is on its way leaves
 * with the next one (group commit). That keeps this process far below the server's limit of concurrent
 * updates per workflow, and its per-run update budget lasting longer, however many transfers reserve at
 * once. Notices that need no answer (release, connected) are signals. A floor that does not exist yet is
 * started by the first command or notice that needs it, with the roster of this process's routing file.
 */
export class TemporalFloorClient implements FloorClient {
  private readonly workflowId: string;
  private readonly taskQueue: string;
  private queue: Pending[] = [];
  private sending = false;

  constructor(
    private readonly client: FloorWorkflowClient,
    transferTaskQueue: string,
    private readonly roster: () => Roster,
  ) {
    this.workflowId = floorWorkflowId(transferTaskQueue);
    this.taskQueue = floorTaskQueue(transferTaskQueue);
  }

  async reserve(command: ReserveCommand | ReserveListedCommand): Promise<FloorReservation> {
    const reply = await this.command(command);
    if (reply.type !== 'reservation') throw new Error(`the floor answered a reservation with ${reply.type}`);
    return reply;
  }

  setStatus(agentId: string, status: AgentStatusCommand): Promise<FloorReply> {
    return this.command({ type: 'set-status', agentId, status });
  }

  syncRoster(roster: Roster): Promise<FloorReply> {
    return this.command({ type: 'sync-roster', roster });
  }

  async notify(notice: FloorNotice): Promise<void> {
    await this.bounded(async () => {
      try {
        await this.client.getHandle(this.workflowId).signal(floorNoticeSignal, notice);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        await this.client.signalWithStart<FloorWorkflow, [FloorNotice]>(FLOOR_WORKFLOW_TYPE, {
          ...this.startOptions(),
          signal: floorNoticeSignal,
          signalArgs: [notice],
        });
      }
    });
  }

  async page(request: AgentPageRequest): Promise<AgentPage> {
    return this.read(() => this.client.getHandle(this.workflowId).query(agentPageQuery, request));
  }

  async lines(): Promise<LineView[]> {
    return this.read(() => this.client.getHandle(this.workflowId).query(linesQuery));
  }

  async changes(sinceRevision: number): Promise<FloorChanges> {
    return this.read(() => this.client.getHandle(this.workflowId).query(floorChangesQuery, { sinceRevision }));
  }

  async dryRun(criteria: AgentCriteria, line?: ReserveCommand['line']): Promise<FloorReservation> {
    return this.read(() => this.client.getHandle(this.workflowId).query(dryRunQuery, { criteria, ...(line ? { line } : {}) }));
  }

  async liveStates(department?: string) {
    return this.read(() => this.client.getHandle(this.workflowId).query(liveStatesQuery, department ? { department } : {}));
  }

  /** A read of a floor that does not exist yet starts it (with this process's roster) and reads again. */
  private async read<T>(query: () => Promise<T>): Promise<T> {
    return this.bounded(async () => {
      try {
        return await query();
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        await this.syncRoster(this.roster());
        return query();
      }
    });
  }

  command(command: FloorCommand): Promise<FloorReply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          const replies = await this.bounded(() => this.send(batch.map((pending) => pending.command)));
          batch.forEach((pending, index) => pending.resolve(replies[index] ?? { type: 'refused', reason: 'the floor gave no answer' }));
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(commands: FloorCommand[]): Promise<FloorReply[]> {
    try {
      return await this.client.getHandle(this.workflowId).executeUpdate(floorCommandsUpdate, { args: [commands] });
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      return this.client.executeUpdateWithStart(floorCommandsUpdate, {
        args: [commands],
        startWorkflowOperation: new WithStartWorkflowOperation<FloorWorkflow>(FLOOR_WORKFLOW_TYPE, {
          ...this.startOptions(),
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
    }
  }

  private startOptions() {
    return {
      workflowId: this.workflowId,
      taskQueue: this.taskQueue,
      args: [{ roster: this.roster() }] as Parameters<FloorWorkflow>,
      staticSummary: 'The floor: every agent and reservation',
    };
  }

  private bounded<T>(fn: () => Promise<T>): Promise<T> {
    return this.client.withDeadline(Date.now() + DEADLINE_MS, fn);
  }
}
