import type {
  AgentCriteria,
  AgentLiveState,
  AgentPage,
  AgentPageRequest,
  AgentRecord,
  AgentStateName,
  AgentStatusCommand,
  AgentView,
  Assignment,
  CandidateTrace,
  DepartmentSummary,
  FloorChanges,
  FloorCommand,
  FloorNotice,
  FloorReply,
  FloorReservation,
  FloorState,
  LineView,
  Roster,
  RosterAgent,
  RoutingRules,
} from '../../contracts';
import { AGENT_STATES, ANONYMOUS_CUSTOMER, DEFAULT_AFTER_CALL, NEUTRAL_TONE } from '../../contracts';
import { pickKnownAgent } from '../../routing/known-agent';
import { balanceLoad } from '../../routing/load-balancing';
import { initialState } from '../../routing/pipeline';
import { qualify } from '../../routing/qualified-agents';
import { relaxRequirements } from '../../routing/relaxation';
import type { RoutingState } from '../../routing/routing-state';

/** A reservation reply names this many candidates: enough to explain the choice, small enough for any history. */
export const TRACE_SIZE = 8;

/** Pages of `GET /agents` hold at most this many agents. */
export const MAX_PAGE = 500;

/**
 * Rules 1-7 have run in the transfer already; the floor's routing state carries no rules of its own, only the
 * agents rules 8-11 choose from. Lines are never reached from here: the transfer decides lines.
 */
const NO_RULES: RoutingRules = {
  offices: [],
  callerRegions: { usWestAreaCodes: [], countryCodes: {} },
  departments: [],
  lines: {
    general: { type: 'sip', sipUri: 'sip:decided-by-the-transfer@invalid' },
    'enterprise-24x7': { type: 'sip', sipUri: 'sip:decided-by-the-transfer@invalid' },
    'after-hours-voicemail': { type: 'sip', sipUri: 'sip:decided-by-the-transfer@invalid' },
  },
  transferModes: { enterprise: 'blind-transfer', premium: 'blind-transfer', standard: 'blind-transfer', 'standard-needs-senior': 'blind-transfer' },
};

export function emptyFloorState(roster: Roster = { version: 'none', agents: [], departments: [] }, now = 0): FloorState {
  const state: FloorState = { revision: 0, roster: { version: roster.version, agents: [], departments: [] }, agents: {} };
  new FloorModel(state).syncRoster(roster, now);
  return state;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Every agent's state and every reservation, and the one place that changes them. Pure: the floor workflow
 * hands in workflow time, tests hand in any time. A command is applied whole before the next, so capacity
 * decisions never race. Expired assignments stop counting the moment they expire, whether or not `sweep`
 * has run since.
 */
export class FloorModel {
  private rosterById = new Map<string, RosterAgent>();
  private byDepartment = new Map<string, RosterAgent[]>();
  /** transferId → the agent holding something for it (a transfer holds one agent at a time). */
  private holders = new Map<string, string>();

  constructor(readonly state: FloorState) {
    this.reindex();
  }

  get revision(): number {
    return this.state.revision;
  }

  apply(command: FloorCommand, now: number): FloorReply {
    switch (command.type) {
      case 'reserve':
        return this.reserve(command.transferId, command.criteria, command.ttlSeconds, now);
      case 'reserve-listed':
        return this.reserveListed(command.transferId, command.candidates, command.ttlSeconds, now);
      case 'set-status':
        return this.setStatus(command.agentId, command.status, now);
      case 'sync-roster':
        return this.syncRoster(command.roster, now);
    }
  }

  notice(notice: FloorNotice, now: number): void {
    switch (notice.type) {
      case 'release':
        this.release(notice.transferId, notice.agentId, now);
        return;
      case 'connected':
        this.connected(notice.transferId, notice.agentId, notice.department, now);
        return;
    }
  }

  /**
   * Rules 8-11 against the floor as it stands: the known agent, else the least loaded qualified agent, relaxing
   * seniority then language; the chosen agent is reserved in the same step. One reservation per transfer: a
   * repeated request (a retried workflow task) gets the same agent, unless the request excludes that agent,
   * in which case it is released first.
   */
  reserve(transferId: string, criteria: AgentCriteria, ttlSeconds: number, now: number): FloorReservation {
    const held = this.holders.get(transferId);
    if (held) {
      const assignment = this.assignmentOf(held, transferId, now);
      if (assignment && !criteria.exclude.includes(held)) {
        return { ...this.emptyReply(), agentId: held, decidedBy: 'reservation', reasons: [`${held} is already reserved for this transfer.`] };
      }
      this.release(transferId, held, now);
    }
    let routing = pickKnownAgent(qualify(this.routingState(criteria, now)));
    if (!routing.decided) routing = balanceLoad(routing);
    routing = relaxRequirements(routing);
    const agentId = routing.decided?.agentId ?? null;
    if (agentId) this.assign(agentId, { transferId, state: 'reserved', department: criteria.department, since: now, until: now + ttlSeconds * 1000 }, now);
    const candidates = traceOf(routing, agentId);
    return {
      type: 'reservation',
      agentId,
      next: routing.ranked.find((id) => id !== agentId) ?? null,
      pass: agentId ? routing.pass : 'line',
      decidedBy: routing.decided?.decidedBy ?? 'relaxation',
      reasons: routing.reasons,
      candidates,
      considered: this.byDepartment.get(criteria.department)?.length ?? 0,
      live: Object.fromEntries(candidates.map((candidate) => [candidate.agentId, routing.input.agents[candidate.agentId]!])),
      rosterVersion: this.state.roster.version,
    };
  }

  /** A 1.0 transfer's reservation: the first agent of its own ranking who is logged in and has room. */
  reserveListed(transferId: string, candidates: readonly string[], ttlSeconds: number, now: number): FloorReservation {
    const held = this.holders.get(transferId);
    if (held && this.assignmentOf(held, transferId, now)) return { ...this.emptyReply(), agentId: held, decidedBy: 'reservation' };
    const agentId = candidates.find((id) => this.hasRoom(id, now)) ?? null;
    if (agentId) this.assign(agentId, { transferId, state: 'reserved', department: null, since: now, until: now + ttlSeconds * 1000 }, now);
    return { ...this.emptyReply(), agentId, decidedBy: 'reservation', pass: agentId ? 'none' : 'line' };
  }

  /** Frees what the transfer holds (on `agentId` only, when given); releasing twice is harmless. */
  release(transferId: string, agentId: string | undefined, now: number): boolean {
    const holder = agentId ?? this.holders.get(transferId);
    const record = holder ? this.state.agents[holder] : undefined;
    if (!holder || !record) return false;
    const before = record.assignments.length;
    record.assignments = record.assignments.filter((assignment) => assignment.transferId !== transferId);
    if (this.holders.get(transferId) === holder) this.holders.delete(transferId);
    if (record.assignments.length === before) return false;
    this.touch(record, now);
    return true;
  }

  /**
   * The call reached the agent: their reservation becomes a call they are on, and they stay busy until marked
   * ready or until the department's after-call time has passed. A connection the floor holds no reservation
   * for (it expired meanwhile) still makes the agent busy: the caller is with them.
   */
  connected(transferId: string, agentId: string, department: string | null, now: number): void {
    const record = this.state.agents[agentId];
    if (!record) return;
    const until = now + this.afterCall(department).afterCallSeconds * 1000;
    const assignment = record.assignments.find((candidate) => candidate.transferId === transferId);
    if (assignment) Object.assign(assignment, { state: 'on-call', since: now, until });
    else record.assignments.push({ transferId, state: 'on-call', department, since: now, until });
    this.holders.set(transferId, agentId);
    this.touch(record, now);
  }

  /**
   * `available`: ready for the next caller, which ends any after-call hold. `wrap-up`: the call itself ended;
   * the hold ends after the department's wrap-up time unless marked ready sooner. `offline`: logged out (what
   * they still hold ends as it would).
   */
  setStatus(agentId: string, status: AgentStatusCommand, now: number): FloorReply {
    const record = this.state.agents[agentId];
    if (!record) return { type: 'refused', reason: `no agent ${agentId} on the floor` };
    record.assignments = this.unexpired(record, now);
    if (status === 'available') {
      for (const assignment of record.assignments) if (assignment.state !== 'reserved') this.holders.delete(assignment.transferId);
      record.assignments = record.assignments.filter((assignment) => assignment.state === 'reserved');
      record.presence = 'available';
    } else if (status === 'offline') {
      record.presence = 'offline';
    } else {
      for (const assignment of record.assignments) {
        if (assignment.state !== 'on-call') continue;
        Object.assign(assignment, { state: 'wrap-up', since: now, until: now + this.afterCall(assignment.department).wrapUpSeconds * 1000 });
      }
    }
    this.touch(record, now);
    return { type: 'agent', agent: this.view(agentId, now)! };
  }

  /**
   * The routing file's agents as the floor's roster: new agents join available, agents who left go, everyone
   * else keeps their state.
   */
  syncRoster(roster: Roster, now: number): FloorReply {
    const agents: Record<string, AgentRecord> = {};
    for (const agent of roster.agents) agents[agent.id] = this.state.agents[agent.id] ?? { presence: 'available', since: now, assignments: [], lastAssignedAt: null };
    this.state.agents = agents;
    this.state.roster = roster;
    this.state.revision += 1;
    this.state.rosterRevision = this.state.revision;
    this.reindex();
    return { type: 'roster-synced', version: roster.version, agents: roster.agents.length };
  }

  /** Drops what has expired; true when anything did. */
  sweep(now: number): boolean {
    const changed: AgentRecord[] = [];
    for (const [agentId, record] of Object.entries(this.state.agents)) {
      const live = this.unexpired(record, now);
      if (live.length === record.assignments.length) continue;
      for (const gone of record.assignments) if (gone.until <= now && this.holders.get(gone.transferId) === agentId) this.holders.delete(gone.transferId);
      record.since = this.sinceOf(record, now);
      record.assignments = live;
      changed.push(record);
    }
    if (changed.length === 0) return false;
    this.state.revision += 1;
    for (const record of changed) record.rev = this.state.revision;
    return true;
  }

  /** What changed since a reader's revision: the agents that did, and every department's counts. */
  changes(sinceRevision: number, now: number): FloorChanges {
    const full = sinceRevision < (this.state.rosterRevision ?? 0) || sinceRevision <= 0;
    const agents = this.state.roster.agents.filter((agent) => full || (this.state.agents[agent.id]?.rev ?? 0) > sinceRevision).map((agent) => this.view(agent.id, now)!);
    const departments = new Map<string, DepartmentSummary>();
    for (const agent of this.state.roster.agents) {
      const state = this.stateOf(this.state.agents[agent.id]!, now);
      for (const id of agent.skills) {
        let summary = departments.get(id);
        if (!summary) {
          summary = { id, agents: 0, counts: Object.fromEntries(AGENT_STATES.map((name) => [name, 0])) as Record<AgentStateName, number> };
          departments.set(id, summary);
        }
        summary.agents += 1;
        summary.counts[state] += 1;
      }
    }
    return { revision: this.state.revision, rosterVersion: this.state.roster.version, full, agents, departments: [...departments.values()] };
  }

  /** When the next assignment expires (epoch ms), or Infinity. */
  nextDeadline(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const record of Object.values(this.state.agents)) for (const assignment of record.assignments) next = Math.min(next, assignment.until);
    return next;
  }

  /** Every department's line; none until a department of the routing file sets one. */
  lines(_now: number): LineView[] {
    return [];
  }

  liveState(agentId: string, now: number): AgentLiveState {
    const record = this.state.agents[agentId];
    if (!record) return { status: 'offline', activeTransfers: 0, lastAssignedAt: null, state: 'offline' };
    return {
      status: record.presence,
      activeTransfers: this.unexpired(record, now).length,
      lastAssignedAt: record.lastAssignedAt === null ? null : iso(record.lastAssignedAt),
      state: this.stateOf(record, now),
      since: iso(this.sinceOf(record, now)),
    };
  }

  liveStates(department: string | undefined, now: number): Record<string, AgentLiveState> {
    const agents = department ? (this.byDepartment.get(department) ?? []) : this.state.roster.agents;
    return Object.fromEntries(agents.map((agent) => [agent.id, this.liveState(agent.id, now)]));
  }

  view(agentId: string, now: number): AgentView | null {
    const agent = this.rosterById.get(agentId);
    const record = this.state.agents[agentId];
    if (!agent || !record) return null;
    const live = this.unexpired(record, now);
    return {
      id: agent.id,
      state: this.stateOf(record, now),
      since: iso(this.sinceOf(record, now)),
      presence: record.presence,
      office: agent.office,
      departments: agent.skills,
      load: live.length,
      maxConcurrent: agent.maxConcurrent,
      lastAssignedAt: record.lastAssignedAt === null ? null : iso(record.lastAssignedAt),
      assignments: live.map((assignment) => ({ transferId: assignment.transferId, state: assignment.state, since: iso(assignment.since), until: iso(assignment.until) })),
    };
  }

  page(request: AgentPageRequest, now: number): AgentPage {
    const counts = Object.fromEntries(AGENT_STATES.map((state) => [state, 0])) as Record<AgentStateName, number>;
    const matching: string[] = [];
    const search = request.search?.toLowerCase();
    for (const agent of this.state.roster.agents) {
      const state = this.stateOf(this.state.agents[agent.id]!, now);
      counts[state] += 1;
      if (request.department && !agent.skills.includes(request.department)) continue;
      if (request.state && request.state !== state) continue;
      if (search && !agent.id.toLowerCase().includes(search)) continue;
      matching.push(agent.id);
    }
    const offset = Math.max(0, Math.trunc(request.offset ?? 0));
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.trunc(request.limit ?? 100)));
    return {
      revision: this.state.revision,
      rosterVersion: this.state.roster.version,
      total: matching.length,
      counts,
      agents: matching.slice(offset, offset + limit).map((id) => this.view(id, now)!),
    };
  }

  private hasRoom(agentId: string, now: number): boolean {
    const agent = this.rosterById.get(agentId);
    const record = this.state.agents[agentId];
    return Boolean(agent && record && record.presence === 'available' && this.unexpired(record, now).length < agent.maxConcurrent);
  }

  private assign(agentId: string, assignment: Assignment, now: number): void {
    const record = this.state.agents[agentId]!;
    record.assignments = [...this.unexpired(record, now), assignment];
    record.lastAssignedAt = now;
    this.holders.set(assignment.transferId, agentId);
    this.touch(record, now);
  }

  private touch(record: AgentRecord, now: number): void {
    record.since = now;
    this.state.revision += 1;
    record.rev = this.state.revision;
  }

  private assignmentOf(agentId: string, transferId: string, now: number): Assignment | undefined {
    const record = this.state.agents[agentId];
    return record ? this.unexpired(record, now).find((assignment) => assignment.transferId === transferId) : undefined;
  }

  private unexpired(record: AgentRecord, now: number): Assignment[] {
    return record.assignments.filter((assignment) => assignment.until > now);
  }

  private stateOf(record: AgentRecord, now: number): AgentStateName {
    const live = this.unexpired(record, now);
    if (live.some((assignment) => assignment.state === 'on-call')) return 'on-call';
    if (live.some((assignment) => assignment.state === 'wrap-up')) return 'wrap-up';
    if (live.some((assignment) => assignment.state === 'reserved')) return 'reserved';
    return record.presence;
  }

  /** The last visible change: a hold that ended by itself changed the state when it expired. */
  private sinceOf(record: AgentRecord, now: number): number {
    return record.assignments.reduce((since, assignment) => (assignment.until <= now ? Math.max(since, assignment.until) : since), record.since);
  }

  private afterCall(department: string | null): { afterCallSeconds: number; wrapUpSeconds: number } {
    return this.state.roster.departments.find((candidate) => candidate.id === department) ?? DEFAULT_AFTER_CALL;
  }

  private routingState(criteria: AgentCriteria, now: number): RoutingState {
    const agents = this.byDepartment.get(criteria.department) ?? [];
    const state = initialState({
      department: criteria.department,
      urgency: 'medium',
      customer: { ...ANONYMOUS_CUSTOMER, lastAgentId: criteria.knownAgent },
      tone: NEUTRAL_TONE,
      policy: { ...NO_RULES, agents },
      agents: Object.fromEntries(agents.map((agent) => [agent.id, this.liveState(agent.id, now)])),
      at: iso(now),
      exclude: criteria.exclude,
    });
    return {
      ...state,
      department: { id: criteria.department, line: NO_RULES.lines.general },
      language: criteria.language,
      seniorRequired: criteria.seniorRequired,
      requireSenior: criteria.seniorRequired,
      candidateOffices: criteria.candidateOffices,
    };
  }

  private emptyReply(): FloorReservation {
    return { type: 'reservation', agentId: null, next: null, pass: 'none', decidedBy: 'reservation', reasons: [], candidates: [], considered: 0, live: {}, rosterVersion: this.state.roster.version };
  }

  private reindex(): void {
    this.rosterById = new Map(this.state.roster.agents.map((agent) => [agent.id, agent]));
    this.byDepartment = new Map();
    for (const agent of this.state.roster.agents) {
      for (const skill of agent.skills) {
        const list = this.byDepartment.get(skill) ?? [];
        list.push(agent);
        this.byDepartment.set(skill, list);
      }
    }
    this.holders = new Map();
    for (const [agentId, record] of Object.entries(this.state.agents)) for (const assignment of record.assignments) this.holders.set(assignment.transferId, agentId);
  }
}

/**
 * The candidates a reservation reply names: the picked agent, then the other qualified ones in the order they
 * would be tried, then some that were dropped (with why), at most {@link TRACE_SIZE} in all.
 */
function traceOf(routing: RoutingState, agentId: string | null): CandidateTrace[] {
  const latest = new Map<string, CandidateTrace>();
  for (const trace of routing.candidates) latest.set(trace.agentId, trace);
  const ordered = [...(agentId ? [agentId] : []), ...routing.ranked.filter((id) => id !== agentId)]
    .map((id) => latest.get(id))
    .filter((trace): trace is CandidateTrace => trace !== undefined);
  const dropped = [...latest.values()].filter((trace) => trace.verdict === 'dropped');
  return [...ordered, ...dropped].slice(0, TRACE_SIZE);
}
