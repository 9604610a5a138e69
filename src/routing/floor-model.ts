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
  DepartmentStats,
  DepartmentSummary,
  FloorChanges,
  FloorCommand,
  FloorDepartment,
  FloorNotice,
  FloorReply,
  FloorReservation,
  FloorState,
  JoinLineCommand,
  LineNotice,
  LinePlace,
  LineView,
  QueueSettings,
  ReserveCommand,
  Roster,
  RosterAgent,
  RoutingRules,
  WaitingEntry,
} from '../contracts';
import { AGENT_STATES, ANONYMOUS_CUSTOMER, DEFAULT_AFTER_CALL, DEFAULT_QUEUE, NEUTRAL_TONE, RESERVATION_TTL_SECONDS } from '../contracts';
import { estimateWaitSeconds, effectivePriority, nextRelaxAt, passAt, serviceOrder, waitsAt } from './line-rules';
import { initialState } from './pipeline';
import { blockersOf } from './qualified-agents';
import { AGENT_PASSES, applyPass } from './relaxation';
import type { AgentPass } from './relaxation';
import type { RoutingState } from './routing-state';

/** A reservation reply names this many candidates: enough to explain the choice, small enough for any history. */
export const TRACE_SIZE = 8;

/** Pages of `GET /agents` hold at most this many agents. */
export const MAX_PAGE = 500;

/** A waiting caller is told a new place at most this often (places can change many times a second on a busy floor). */
export const PLACE_NOTICE_SECONDS = 10;

/** Waits are estimated on a department's last this many handle times. */
export const HANDLE_TIMES_KEPT = 20;

const HOUR_MS = 3_600_000;

const minutes = (seconds: number) => (seconds < 90 ? `${seconds} s` : `${Math.round(seconds / 60)} min`);

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
  /** Something changed that may let a waiting caller be served or move a place: `settle` looks again. */
  private dirty = true;
  /** Line notices for the workflow to send. */
  private outbox: { to: string; notice: LineNotice }[] = [];

  constructor(readonly state: FloorState) {
    this.reindex();
  }

  get revision(): number {
    return this.state.revision;
  }

  /** Applies a command, then serves whoever waits in line if it freed an agent (see {@link settle}). */
  apply(command: FloorCommand, now: number): FloorReply {
    // A caller arriving never takes an agent someone in line could have had: holds that ended by time serve the
    // line first, even if the floor's timer has not fired yet.
    if (command.type === 'reserve' && this.someoneWaits()) this.sweep(now);
    const reply = this.applyOne(command, now);
    this.settle(now);
    return reply;
  }

  private applyOne(command: FloorCommand, now: number): FloorReply {
    switch (command.type) {
      case 'reserve':
        return this.reserve(command.transferId, command.criteria, command.ttlSeconds, now, command.line);
      case 'reserve-listed':
        return this.reserveListed(command.transferId, command.candidates, command.ttlSeconds, now);
      case 'set-status':
        return this.setStatus(command.agentId, command.status, now);
      case 'sync-roster':
        return this.syncRoster(command.roster, now);
      case 'join-line':
        return this.joinLine(command, now);
    }
  }

  notice(notice: FloorNotice, now: number): void {
    switch (notice.type) {
      case 'release':
        this.release(notice.transferId, notice.agentId, now);
        break;
      case 'connected':
        this.connected(notice.transferId, notice.agentId, notice.department, now);
        break;
      case 'leave':
        this.leave(notice.transferId, now);
        break;
    }
    this.settle(now);
  }

  /** What the floor has to tell waiting callers (agents assigned, places changed), for the workflow to send. */
  takeNotices(): { to: string; notice: LineNotice }[] {
    return this.outbox.splice(0);
  }

  get hasNotices(): boolean {
    return this.outbox.length > 0;
  }

  /**
   * The waiting workflow `transferId` could not be told (it has ended): its place is given up, and an agent
   * reserved for it meanwhile is free again for the next caller.
   */
  unreachable(transferId: string, now: number): void {
    this.leave(transferId, now);
    this.settle(now);
  }

  /**
   * Serves whoever waits, if anything freed an agent or changed a line since the last time: in one order across
   * every line (see `serviceOrder`), each caller takes the agent the rules give them among those free now,
   * at the requirements their wait has reached; then tells callers whose place changed.
   */
  settle(now: number): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.serveWaiting(now);
    this.tellPlaces(now);
  }

  /**
   * Rules 8-11 against the floor as it stands: the known agent, else the least loaded qualified agent, relaxing
   * seniority then language; the chosen agent is reserved in the same step. One reservation per transfer: a
   * repeated request (a retried workflow task) gets the same agent, unless the request excludes that agent,
   * in which case it is released first.
   */
  reserve(transferId: string, criteria: AgentCriteria, ttlSeconds: number, now: number, line?: ReserveCommand['line']): FloorReservation {
    const held = this.holders.get(transferId);
    if (held) {
      const assignment = this.assignmentOf(held, transferId, now);
      if (assignment && !criteria.exclude.includes(held)) {
        return { ...this.emptyReply(), agentId: held, decidedBy: 'reservation', reasons: [`${held} is already reserved for this transfer.`] };
      }
      this.release(transferId, held, now);
    }
    const waiting = this.entryOf(transferId);
    if (waiting) return { ...this.emptyReply(), decidedBy: 'line', pass: waiting.basePass, reasons: [`Already waiting in ${waiting.department}'s line.`], queued: this.placeOf(waiting, now) };
    const queue = line ? this.queueOf(criteria.department) : undefined;
    // Rules 8-11, pass by pass: a free agent is reserved at once; when every agent who qualifies is merely busy
    // and the department has a line, the caller waits in it (relaxing further only with time); when nobody
    // qualifies at all, the next pass relaxes at once.
    let routing = this.routingState(criteria, now);
    for (const pass of AGENT_PASSES) {
      if (pass === 'seniority' && !criteria.seniorRequired) continue;
      const tried = applyPass(routing, pass);
      const agentId = tried.decided?.agentId ?? null;
      if (agentId) {
        this.assign(agentId, { transferId, state: 'reserved', department: criteria.department, since: now, until: now + ttlSeconds * 1000 }, now);
        return this.reservationReply(tried, agentId, criteria);
      }
      const busy = queue && waitsAt(pass, criteria.seniorRequired, queue) ? this.busyQualified(criteria, pass, now) : 0;
      if (queue && busy > 0) {
        const lineOf = this.lineOf(criteria.department);
        // A caller back after an agent did not pick up is never turned away: they had their place.
        if (lineOf.length >= queue.maxWaiting && !line!.front) {
          const reasons = [...tried.reasons, `Every qualified agent is busy and ${criteria.department}'s line is full (${lineOf.length} waiting).`];
          return { ...this.reservationReply({ ...tried, reasons }, null, criteria), decidedBy: 'line', lineFull: true };
        }
        const entry: WaitingEntry = { transferId, department: criteria.department, criteria, basePass: pass, priority: line!.priority, joinedAt: line!.joinedAt ?? now, front: line!.front ?? false, callback: false };
        lineOf.push(entry);
        this.changed(now);
        const place = this.placeOf(entry, now);
        entry.toldPosition = place.position;
        entry.toldAt = now;
        const reasons = [...tried.reasons, `All ${busy} qualified agents are busy: waiting in ${criteria.department}'s line, position ${place.position}, about ${minutes(place.estimateSeconds)}.`];
        return { ...this.reservationReply({ ...tried, reasons }, null, criteria), decidedBy: 'line', queued: place };
      }
      routing = tried;
    }
    return this.reservationReply(routing, null, criteria);
  }

  private reservationReply(routing: RoutingState, agentId: string | null, criteria: AgentCriteria): FloorReservation {
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

  /** A caller takes (back) a place: in front after an agent did not pick up, or as a callback promised. */
  joinLine(command: JoinLineCommand, now: number): FloorReply {
    if (command.replaces) this.removeEntry(command.replaces);
    this.removeEntry(command.transferId);
    const { type: _type, replaces: _replaces, ...fields } = command;
    const entry: WaitingEntry = { ...fields, department: command.criteria.department };
    this.lineOf(entry.department).push(entry);
    this.changed(now);
    const place = this.placeOf(entry, now);
    entry.toldPosition = place.position;
    entry.toldAt = now;
    return { type: 'in-line', place };
  }

  /** The caller leaves the line; an agent reserved for them (a notice crossed their leaving) is free again. */
  leave(transferId: string, now: number): void {
    const removed = this.removeEntry(transferId);
    const holder = this.holders.get(transferId);
    const reserved = holder ? this.assignmentOf(holder, transferId, now) : undefined;
    if (reserved?.state === 'reserved') this.release(transferId, holder, now);
    if (removed) this.changed(now);
  }

  /** What `reserve` would answer now, on a copy: nothing here changes. */
  dryRun(criteria: AgentCriteria, line: ReserveCommand['line'], now: number): FloorReservation {
    const copy = new FloorModel(JSON.parse(JSON.stringify(this.state)) as FloorState);
    copy.sweep(now);
    return copy.reserve('dry-run', criteria, 60, now, line);
  }

  /**
   * A floor as recorded live states describe it (routing diff): each agent busy with as many calls as they
   * had, in the state they were in, until long after `now`.
   */
  static fromLiveStates(roster: Roster, live: Record<string, AgentLiveState>, now: number): FloorModel {
    const model = new FloorModel(emptyFloorState(roster, now));
    for (const agent of roster.agents) {
      const state = live[agent.id];
      const record = model.state.agents[agent.id];
      if (!state || !record) continue;
      record.presence = state.status;
      const held = state.state === 'on-call' || state.state === 'wrap-up' ? state.state : 'reserved';
      record.assignments = Array.from({ length: state.activeTransfers }, (_, index) => ({ transferId: `recorded-${agent.id}-${index}`, state: held, department: null, since: now, until: now + 86_400_000 }));
      record.lastAssignedAt = state.lastAssignedAt ? Date.parse(state.lastAssignedAt) : null;
    }
    model.reindex();
    return model;
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
    // A transfer that lets go of everything gives up its place in line too.
    if (agentId === undefined && this.removeEntry(transferId)) this.changed(now);
    const holder = agentId ?? this.holders.get(transferId);
    const record = holder ? this.state.agents[holder] : undefined;
    if (!holder || !record) return false;
    const before = record.assignments.length;
    for (const ended of record.assignments) if (ended.transferId === transferId) this.handled(ended, now);
    record.assignments = record.assignments.filter((assignment) => assignment.transferId !== transferId);
    if (this.holders.get(transferId) === holder) this.holders.delete(transferId);
    if (record.assignments.length === before) return false;
    this.touch(record, now);
    this.changed(now);
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
    if (assignment) Object.assign(assignment, { state: 'on-call', since: now, until, connectedAt: now });
    else record.assignments.push({ transferId, state: 'on-call', department, since: now, until, connectedAt: now });
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
    this.dropExpired(agentId, record, now);
    if (status === 'available') {
      for (const assignment of record.assignments) {
        if (assignment.state === 'reserved') continue;
        this.holders.delete(assignment.transferId);
        this.handled(assignment, now);
      }
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
    this.changed(now);
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
    this.changed(now);
    return { type: 'roster-synced', version: roster.version, agents: roster.agents.length };
  }

  /** Drops what has expired; true when anything did. */
  sweep(now: number): boolean {
    const changed: AgentRecord[] = [];
    for (const [agentId, record] of Object.entries(this.state.agents)) {
      if (!record.assignments.some((assignment) => assignment.until <= now)) continue;
      record.since = this.sinceOf(record, now);
      this.dropExpired(agentId, record, now);
      changed.push(record);
    }
    if (changed.length > 0) {
      this.state.revision += 1;
      for (const record of changed) record.rev = this.state.revision;
      this.changed(now);
    }
    // Time alone changes lines too (requirements widen, callbacks come due, places wait to be told): look again
    // whenever anyone waits. The timer only wakes the floor for such a time or for an expiry.
    if (this.someoneWaits()) this.dirty = true;
    this.settle(now);
    return changed.length > 0;
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

  /** When the next assignment expires or a line next changes by time alone (epoch ms), or Infinity. */
  nextDeadline(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const record of Object.values(this.state.agents)) for (const assignment of record.assignments) next = Math.min(next, assignment.until);
    return Math.min(next, this.nextLineTime(now));
  }

  /** Every department's line (those the routing file gives a `queue:`), who waits in it and how it is served. */
  lines(now: number): LineView[] {
    const views: LineView[] = [];
    for (const department of this.state.roster.departments) {
      const queue = department.queue;
      if (!queue) continue;
      const ordered = this.ordered(department.id, now);
      const served = (this.state.stats?.[department.id]?.served ?? []).filter((entry) => entry.at > now - HOUR_MS);
      views.push({
        department: department.id,
        waiting: ordered.length,
        oldestWaitSeconds: ordered.length > 0 ? Math.round((now - Math.min(...ordered.map((entry) => entry.joinedAt))) / 1000) : null,
        serviceLevel: { targetSeconds: queue.serviceLevelSeconds, answered: served.length, withinTarget: served.filter((entry) => entry.waited <= queue.serviceLevelSeconds).length },
        callbacksDue: ordered.filter((entry) => entry.callback).length,
        maxWaitSeconds: queue.maxWaitSeconds,
        maxWaiting: queue.maxWaiting,
        entries: ordered.slice(0, 50).map((entry, index) => ({
          transferId: entry.transferId,
          position: index + 1,
          priority: effectivePriority(entry, queue, now),
          waitedSeconds: Math.round((now - entry.joinedAt) / 1000),
          callback: entry.callback,
        })),
      });
    }
    return views;
  }

  /**
   * The floor in a few lines for the Web UI's current details: each line, who waits first and the oldest wait
   * (transfer ids only, never a phone number).
   */
  describe(now: number): string {
    const lines = this.lines(now);
    const agents = `${this.state.roster.agents.length} agents (roster ${this.state.roster.version})`;
    if (lines.length === 0) return `The floor: ${agents}; no department has a line.`;
    const described = lines.map((line) => {
      if (line.waiting === 0) return `- **${line.department}**: nobody waiting`;
      const first = line.entries.slice(0, 3).map((entry) => `${entry.transferId} (${entry.waitedSeconds} s)`).join(', ');
      return `- **${line.department}**: ${line.waiting} waiting, oldest ${line.oldestWaitSeconds} s; next: ${first}${line.waiting > 3 ? ', …' : ''}`;
    });
    return [`The floor: ${agents}. Lines:`, ...described].join('\n');
  }

  /** Where a waiting caller stands now. */
  placeOf(entry: WaitingEntry, now: number): LinePlace {
    const ordered = this.ordered(entry.department, now);
    const position = ordered.findIndex((candidate) => candidate.transferId === entry.transferId) + 1;
    const department = this.department(entry.department);
    const estimateSeconds = estimateWaitSeconds(position, this.servers(entry.department), this.state.stats?.[entry.department]?.handleSeconds ?? [], department.afterCallSeconds);
    const queue = this.queueOf(entry.department) ?? DEFAULT_QUEUE;
    return {
      department: entry.department,
      position,
      estimateSeconds,
      waiting: ordered.length,
      basePass: entry.basePass,
      joinedAt: entry.joinedAt,
      maxWaitSeconds: queue.maxWaitSeconds,
      callbacks: queue.callbacks,
      callbackAttempts: queue.callbackAttempts,
      callbackSpacingSeconds: queue.callbackSpacingSeconds,
    };
  }

  private serveWaiting(now: number): void {
    const waiting = Object.values(this.state.lines ?? {})
      .flat()
      .filter((entry) => entry.notBefore === undefined || entry.notBefore <= now);
    if (waiting.length === 0) return;
    const free = new Set(this.state.roster.agents.filter((agent) => this.hasRoom(agent.id, now)).map((agent) => agent.id));
    for (const entry of serviceOrder(waiting, (department) => this.queueOf(department) ?? DEFAULT_QUEUE, now)) {
      if (free.size === 0) return;
      const queue = this.queueOf(entry.department) ?? DEFAULT_QUEUE;
      const pass = passAt(entry, queue, now);
      const requirements = this.requirements(entry.criteria, pass);
      // Cheap first: is any agent free now one this caller may have? Only then the rules, for the choice and its reasons.
      const fits = [...free].some((agentId) => {
        const agent = this.rosterById.get(agentId)!;
        return agent.skills.includes(entry.department) && blockersOf(agent, this.liveState(agentId, now), requirements).length === 0;
      });
      if (!fits) continue;
      const routing = applyPass(this.routingState(entry.criteria, now), pass);
      const agentId = routing.decided?.agentId;
      if (!agentId) continue;
      this.assign(agentId, { transferId: entry.transferId, state: 'reserved', department: entry.department, since: now, until: now + RESERVATION_TTL_SECONDS * 1000 }, now);
      this.removeEntry(entry.transferId);
      const waited = Math.round((now - entry.joinedAt) / 1000);
      this.served(entry.department, waited, now);
      this.outbox.push({ to: entry.transferId, notice: { type: 'assigned', agentId, waitedSeconds: waited } });
      if (!this.hasRoom(agentId, now)) free.delete(agentId);
    }
  }

  /**
   * Tells each waiting caller whose place changed (at most once every {@link PLACE_NOTICE_SECONDS}), and every
   * caller their place again each `updateEverySeconds`, so the assistant always has something true to say.
   */
  private tellPlaces(now: number): void {
    for (const department of Object.keys(this.state.lines ?? {})) {
      for (const entry of this.ordered(department, now)) {
        if (entry.notBefore !== undefined && entry.notBefore > now) continue; // a callback promised for later: nobody is on the line to tell
        const place = this.placeOf(entry, now);
        const queue = this.queueOf(department) ?? DEFAULT_QUEUE;
        const sinceTold = entry.toldAt === undefined ? Number.POSITIVE_INFINITY : now - entry.toldAt;
        const moved = entry.toldPosition !== place.position && sinceTold >= PLACE_NOTICE_SECONDS * 1000;
        if (!moved && sinceTold < queue.updateEverySeconds * 1000) continue;
        entry.toldPosition = place.position;
        entry.toldAt = now;
        this.outbox.push({ to: entry.transferId, notice: { type: 'position', position: place.position, estimateSeconds: place.estimateSeconds } });
      }
    }
  }

  /**
   * When time alone next changes a line (epoch ms): a caller's requirements widen, a callback comes due, a
   * changed place may be told, a periodic update is due. The floor's timer wakes for it.
   */
  private nextLineTime(now: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const [department, entries] of Object.entries(this.state.lines ?? {})) {
      const queue = this.queueOf(department) ?? DEFAULT_QUEUE;
      for (const entry of entries) {
        const relax = nextRelaxAt(entry, queue, now);
        if (relax !== null) next = Math.min(next, relax);
        if (entry.notBefore !== undefined && entry.notBefore > now) next = Math.min(next, entry.notBefore);
        if (entry.toldAt !== undefined) next = Math.min(next, Math.max(entry.toldAt + queue.updateEverySeconds * 1000, now + 1));
        if (entry.toldAt !== undefined && entry.toldPosition !== this.placeOf(entry, now).position) next = Math.min(next, Math.max(entry.toldAt + PLACE_NOTICE_SECONDS * 1000, now + 1));
      }
    }
    return next;
  }

  private busyQualified(criteria: AgentCriteria, pass: AgentPass, now: number): number {
    const requirements = this.requirements(criteria, pass);
    return (this.byDepartment.get(criteria.department) ?? []).filter((agent) => {
      const blockers = blockersOf(agent, this.liveState(agent.id, now), requirements);
      return blockers.length === 1 && blockers[0] === 'capacity';
    }).length;
  }

  private requirements(criteria: AgentCriteria, pass: AgentPass) {
    return {
      excluded: new Set(criteria.exclude),
      candidateOffices: criteria.candidateOffices,
      language: criteria.language,
      requireLanguage: pass !== 'language',
      requireSenior: pass === 'none' && criteria.seniorRequired,
    };
  }

  /** Places agents logged in to the department can take at once: what the line's waits are estimated on. */
  private servers(department: string): number {
    return (this.byDepartment.get(department) ?? []).filter((agent) => this.state.agents[agent.id]?.presence === 'available').reduce((sum, agent) => sum + agent.maxConcurrent, 0);
  }

  private ordered(department: string, now: number): WaitingEntry[] {
    return serviceOrder(this.lineOf(department), () => this.queueOf(department) ?? DEFAULT_QUEUE, now);
  }

  private someoneWaits(): boolean {
    return Object.keys(this.state.lines ?? {}).length > 0;
  }

  private lineOf(department: string): WaitingEntry[] {
    this.state.lines ??= {};
    return (this.state.lines[department] ??= []);
  }

  private entryOf(transferId: string): WaitingEntry | undefined {
    for (const entries of Object.values(this.state.lines ?? {})) {
      const entry = entries.find((candidate) => candidate.transferId === transferId);
      if (entry) return entry;
    }
    return undefined;
  }

  private removeEntry(transferId: string): boolean {
    for (const [department, entries] of Object.entries(this.state.lines ?? {})) {
      const index = entries.findIndex((candidate) => candidate.transferId === transferId);
      if (index < 0) continue;
      entries.splice(index, 1);
      if (entries.length === 0) delete this.state.lines![department];
      return true;
    }
    return false;
  }

  private queueOf(department: string): QueueSettings | undefined {
    return this.state.roster.departments.find((candidate) => candidate.id === department)?.queue;
  }

  private department(id: string): FloorDepartment {
    return this.state.roster.departments.find((candidate) => candidate.id === id) ?? { id, ...DEFAULT_AFTER_CALL };
  }

  /** Something may let a waiting caller be served, or moved a place in line: serve and tell at the next settle. */
  private changed(_now: number): void {
    this.dirty = true;
  }

  /** A call this agent had ends: its length is the department's newest handle time. */
  private handled(assignment: Assignment, endedAt: number): void {
    if (assignment.connectedAt === undefined || !assignment.department) return;
    const stats = this.statsOf(assignment.department);
    stats.handleSeconds.push(Math.max(0, Math.round((endedAt - assignment.connectedAt) / 1000)));
    if (stats.handleSeconds.length > HANDLE_TIMES_KEPT) stats.handleSeconds.shift();
  }

  private served(department: string, waited: number, now: number): void {
    const stats = this.statsOf(department);
    stats.served = [...stats.served.filter((entry) => entry.at > now - HOUR_MS), { at: now, waited }];
  }

  private statsOf(department: string): DepartmentStats {
    this.state.stats ??= {};
    return (this.state.stats[department] ??= { handleSeconds: [], served: [] });
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
    this.dropExpired(agentId, record, now);
    record.assignments = [...record.assignments, assignment];
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

  /** Lets go of what has expired; a call's hold that ended by itself counts as its handle time. */
  private dropExpired(agentId: string, record: AgentRecord, now: number): void {
    for (const gone of record.assignments) {
      if (gone.until > now) continue;
      if (this.holders.get(gone.transferId) === agentId) this.holders.delete(gone.transferId);
      this.handled(gone, gone.until);
    }
    record.assignments = this.unexpired(record, now);
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

  protected reindex(): void {
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
