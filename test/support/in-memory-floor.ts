import type { AgentCriteria, AgentPage, AgentPageRequest, AgentStatusCommand, FloorCommand, FloorNotice, FloorReply, FloorReservation, LineNotice, ReserveCommand, ReserveListedCommand, Roster } from '../../src/contracts';
import type { FloorClient } from '../../src/integrations/floor-client';
import { FloorModel, emptyFloorState } from '../../src/routing/floor-model';

/** Where the in-memory floor sends what it tells waiting callers (the floor workflow signals them). */
export type LineNoticeSender = (to: string, notice: LineNotice) => Promise<void>;

/**
 * The floor without Temporal, for tests that do not exercise the floor workflow: the very model the floor
 * workflow runs, so reservations, holds, expiry and lines behave as in production. Line notices go to
 * `send` (a test signals the waiting workflow with it); one that cannot be delivered gives up the place, as
 * the floor workflow does.
 */
export class InMemoryFloor implements FloorClient {
  readonly model: FloorModel;

  constructor(
    roster: Roster,
    private readonly now: () => number = Date.now,
    private readonly send?: LineNoticeSender,
  ) {
    this.model = new FloorModel(emptyFloorState(roster, now()));
  }

  async reserve(command: ReserveCommand | ReserveListedCommand): Promise<FloorReservation> {
    const reply = this.model.apply(command, this.now());
    if (reply.type !== 'reservation') throw new Error(`unexpected reply ${reply.type}`);
    this.deliver();
    return reply;
  }

  async command(command: FloorCommand): Promise<FloorReply> {
    const reply = this.model.apply(command, this.now());
    this.deliver();
    return reply;
  }

  async setStatus(agentId: string, status: AgentStatusCommand): Promise<FloorReply> {
    return this.command({ type: 'set-status', agentId, status });
  }

  async syncRoster(roster: Roster): Promise<FloorReply> {
    return this.command({ type: 'sync-roster', roster });
  }

  async notify(notice: FloorNotice): Promise<void> {
    this.model.notice(notice, this.now());
    this.deliver();
  }

  /** What time alone changes (holds ending, lines relaxing): the floor workflow's timer does this. */
  tick(): void {
    this.model.sweep(this.now());
    this.deliver();
  }

  async page(request: AgentPageRequest): Promise<AgentPage> {
    return this.model.page(request, this.now());
  }

  async lines() {
    return this.model.lines(this.now());
  }

  async changes(sinceRevision: number) {
    return this.model.changes(sinceRevision, this.now());
  }

  async dryRun(criteria: AgentCriteria, line?: ReserveCommand['line']) {
    return this.model.dryRun(criteria, line, this.now());
  }

  async liveStates(department?: string) {
    return { revision: this.model.revision, rosterVersion: this.model.state.roster.version, agents: this.model.liveStates(department, this.now()) };
  }

  private deliver(): void {
    for (const { to, notice } of this.model.takeNotices()) {
      // After the caller's command has its answer, as the floor workflow's signal would be.
      setImmediate(() => {
        void (this.send ? this.send(to, notice) : Promise.reject(new Error('no line notice sender'))).catch(() => {
          this.model.unreachable(to, this.now());
          this.deliver();
        });
      });
    }
  }
}
