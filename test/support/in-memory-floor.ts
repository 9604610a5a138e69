import type { AgentPage, AgentPageRequest, AgentStatusCommand, FloorNotice, FloorReply, FloorReservation, ReserveCommand, ReserveListedCommand, Roster } from '../../src/contracts';
import type { FloorClient } from '../../src/integrations/floor-client';
import { FloorModel, emptyFloorState } from '../../src/workflows/floor/floor-model';

/**
 * The floor without Temporal, for tests that do not exercise the floor workflow: the very model the floor
 * workflow runs, so reservations, holds and expiry behave as in production.
 */
export class InMemoryFloor implements FloorClient {
  readonly model: FloorModel;

  constructor(roster: Roster, private readonly now: () => number = Date.now) {
    this.model = new FloorModel(emptyFloorState(roster, now()));
  }

  async reserve(command: ReserveCommand | ReserveListedCommand): Promise<FloorReservation> {
    const reply = this.model.apply(command, this.now());
    if (reply.type !== 'reservation') throw new Error(`unexpected reply ${reply.type}`);
    return reply;
  }

  async setStatus(agentId: string, status: AgentStatusCommand): Promise<FloorReply> {
    return this.model.apply({ type: 'set-status', agentId, status }, this.now());
  }

  async syncRoster(roster: Roster): Promise<FloorReply> {
    return this.model.apply({ type: 'sync-roster', roster }, this.now());
  }

  async notify(notice: FloorNotice): Promise<void> {
    this.model.notice(notice, this.now());
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

  async liveStates(department?: string) {
    return { revision: this.model.revision, rosterVersion: this.model.state.roster.version, agents: this.model.liveStates(department, this.now()) };
  }
}
