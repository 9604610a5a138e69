import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AgentLiveState, AgentStateName, CandidateTrace, QueueSettings, Relaxation, RosterAgent } from './routing';

/**
 * The floor: one entity workflow that holds every agent's state and every reservation, the way a contact
 * center's router does. Capacity is decided in one place, one command at a time, so no agent is ever booked
 * beyond `maxConcurrent`, and routing never reads a stale picture: rules 8-11 run inside the floor, against
 * its own state, in the same step that reserves. It runs on a task queue of its own, so transfers in their
 * first workflow task can never starve it of worker slots.
 */
export const FLOOR_WORKFLOW_TYPE = 'floor';

/** The floor's own task queue, beside the transfers'. */
export function floorTaskQueue(transferTaskQueue: string): string {
  return `${transferTaskQueue}-floor`;
}

/** One floor per deployment (per transfer task queue): two deployments, or two tests, never share agents. */
export function floorWorkflowId(transferTaskQueue: string): string {
  return `floor:${transferTaskQueue}`;
}

/**
 * After a call reaches an agent, they stay busy for `afterCallSeconds` unless marked ready sooner; after they
 * say the call ended (`wrap-up`), for `wrapUpSeconds`. A department may set its own in the routing file; the
 * routing rules state these defaults.
 */
export const DEFAULT_AFTER_CALL = { afterCallSeconds: 300, wrapUpSeconds: 60 } as const;

/** A reservation ends by itself after this long should its transfer never say how it went. */
export const RESERVATION_TTL_SECONDS = 15 * 60;

/** What a department asks of the floor. */
export interface FloorDepartment {
  id: string;
  /** After a call reaches an agent, how long they stay busy unless marked ready sooner. */
  afterCallSeconds: number;
  /** After an agent says their call ended (`wrap-up`), how long their after-call work may take. */
  wrapUpSeconds: number;
  /** The department's line: callers wait in it when its qualified agents are all busy. Absent: no line. */
  queue?: QueueSettings;
}

/** The part of the routing file the floor needs: who the agents are and what each department asks. */
export interface Roster {
  /** The routing file's version (a digest of its content) this roster came from. */
  version: string;
  agents: RosterAgent[];
  departments: FloorDepartment[];
}

/** Rules 1-7's answer, which is what the floor needs to apply rules 8-11. */
export interface AgentCriteria {
  department: string;
  candidateOffices: string[];
  language: string;
  seniorRequired: boolean;
  /** The customer's last agent (rule 9), if any. */
  knownAgent: string | null;
  /** Agents already tried for this call: never offered again. */
  exclude: string[];
}

/** What an agent is doing for one transfer. */
export interface Assignment {
  transferId: string;
  state: 'reserved' | 'on-call' | 'wrap-up';
  department: string | null;
  /** Epoch ms. */
  since: number;
  /** Epoch ms: a reservation's TTL, or the end of an after-call or wrap-up hold. */
  until: number;
  /** Epoch ms when the call reached the agent: the handle time is measured from here. */
  connectedAt?: number;
}

/** A caller waiting in a department's line (a transfer's place; a callback keeps the place it was promised). */
export interface WaitingEntry {
  /** The workflow that waits and is told when an agent is free: a transfer, or a callback. */
  transferId: string;
  department: string;
  criteria: AgentCriteria;
  /** The relaxation the caller had reached when they joined; the line's relax steps widen it with time. */
  basePass: 'none' | 'seniority' | 'language';
  /** 2: enterprise or critical; 1: premium or high; 0: everyone else (see routing rules, "Waiting in line"). */
  priority: number;
  /** Epoch ms: the place in line. A caller who comes back after a failed attempt keeps theirs. */
  joinedAt: number;
  /** Back after an agent did not pick up: ahead of everyone. */
  front: boolean;
  /** A callback promised for later: not offered an agent before this (epoch ms). */
  notBefore?: number;
  callback: boolean;
  /** The place this caller was last told (epoch ms when), so a change is told once. */
  toldPosition?: number;
  toldAt?: number;
}

/** What the floor remembers of a department to estimate waits and report its service level. */
export interface DepartmentStats {
  /** The last handle times (seconds from the call reaching an agent to the agent being free again). */
  handleSeconds: number[];
  /** Callers served from the line in the last hour: when, and how long they had waited (seconds). */
  served: { at: number; waited: number }[];
}

/** One agent on the floor. */
export interface AgentRecord {
  /** What the agent last said: taking calls, or logged out. */
  presence: 'available' | 'offline';
  /** Epoch ms of the last change of the agent's visible state. */
  since: number;
  assignments: Assignment[];
  /** Epoch ms; null = never assigned, which counts as idle longest. */
  lastAssignedAt: number | null;
  /** The floor's revision when this agent last changed: readers ask for what changed since theirs. */
  rev?: number;
}

/** Everything the floor knows; carried whole across continue-as-new. */
export interface FloorState {
  /** Bumped by every change, so readers can tell a new picture from the last one. */
  revision: number;
  roster: Roster;
  agents: Record<string, AgentRecord>;
  /** The revision of the last roster sync: a reader behind it reads everything again (agents may have gone). */
  rosterRevision?: number;
  /** Each department's line, in the order callers joined (the order they are served in is worked out when an agent is free). */
  lines?: Record<string, WaitingEntry[]>;
  stats?: Record<string, DepartmentStats>;
}

export interface FloorInput {
  /** The state carried over from the previous run; absent on the very first run. */
  state?: FloorState;
  /** The roster to start with when there is no state yet. */
  roster?: Roster;
  /** Continue as new after this many history events (a small number in tests); default in the workflow. */
  maxEventsPerRun?: number;
}

/** A transfer asks the floor for the best free agent by the rules (8-11). */
export interface ReserveCommand {
  type: 'reserve';
  transferId: string;
  criteria: AgentCriteria;
  /** The reservation ends by itself after this long should the transfer never say how it went. */
  ttlSeconds: number;
  /**
   * When every qualified agent is busy and the department has a line, wait in it (with this priority class)
   * instead of being told there is nobody. Absent: never wait (a 1.0 transfer, a destination request). `front`:
   * the caller is back after an agent did not pick up, and keeps the place they had (`joinedAt`).
   */
  line?: { priority: number; front?: boolean; joinedAt?: number };
}

/** A caller takes (back) their place in line: after an agent did not pick up (in front), or for a callback. */
export interface JoinLineCommand {
  type: 'join-line';
  transferId: string;
  criteria: AgentCriteria;
  basePass: WaitingEntry['basePass'];
  priority: number;
  joinedAt: number;
  front: boolean;
  callback: boolean;
  notBefore?: number;
  /** The place to give up in the same step (a callback takes over the transfer's place). */
  replaces?: string;
}

/** A 1.0 transfer (in flight across an upgrade) asks for the first free agent of its own ranking. */
export interface ReserveListedCommand {
  type: 'reserve-listed';
  transferId: string;
  candidates: string[];
  ttlSeconds: number;
}

/** An operator or an agent's desktop says what the agent is doing; the answer is the agent as they now stand. */
export interface SetStatusCommand {
  type: 'set-status';
  agentId: string;
  status: AgentStatusCommand;
}

export type FloorCommand = ReserveCommand | ReserveListedCommand | SetStatusCommand | JoinLineCommand | { type: 'sync-roster'; roster: Roster };

/** The floor's answer to a reservation. */
export interface FloorReservation {
  type: 'reservation';
  /** The agent now reserved for the transfer, or null when none is free. */
  agentId: string | null;
  /** The next agent the rules would have chosen (the fallback chain's first try), if any. */
  next: string | null;
  /** The relaxation pass the agent was found in (`line`: none was). */
  pass: Relaxation;
  decidedBy: string;
  /** Rules 8-11's reasons, for the transfer's decision. */
  reasons: string[];
  /** The top candidates and why each was or was not chosen (the whole list would not fit in a history). */
  candidates: CandidateTrace[];
  /** How many agents of the department were considered. */
  considered: number;
  /** The live state of the agents in `candidates`, as the floor saw it: what the what-if diff decides again from. */
  live: Record<string, AgentLiveState>;
  /** The roster version the floor decided with. */
  rosterVersion: string;
  /** No agent free but some qualified and busy: the caller now waits in the department's line. */
  queued?: LinePlace;
  /** No agent free, and the line is full (`maxWaiting`): the caller goes to the department's phone line. */
  lineFull?: boolean;
}

/** Where a caller stands in line. */
export interface LinePlace {
  department: string;
  /** 1 = next. */
  position: number;
  /** How long they will likely wait (seconds): see `estimateWaitSeconds`. */
  estimateSeconds: number;
  waiting: number;
  /** The pass (relaxation) their place counts from. */
  basePass: WaitingEntry['basePass'];
  joinedAt: number;
  /** The line's own settings the caller's transfer keeps to: how long it may wait, whether a callback is offered and how. */
  maxWaitSeconds: number;
  callbacks: boolean;
  callbackAttempts: number;
  callbackSpacingSeconds: number;
}

export type FloorReply =
  | FloorReservation
  | { type: 'in-line'; place: LinePlace }
  | { type: 'agent'; agent: AgentView }
  | { type: 'roster-synced'; version: string; agents: number }
  | { type: 'refused'; reason: string };

/** Everything a floor update carries; a process sends its commands in batches (group commit). */
export const floorCommandsUpdate = defineUpdate<FloorReply[], [FloorCommand[]]>('commands');

/**
 * Changes the floor accepts without an answer. A signal is durable once accepted and costs no workflow task
 * round trip, so a transfer's release and the news that its call connected never wait on the floor.
 */
export type FloorNotice =
  | { type: 'release'; transferId: string; agentId?: string }
  | { type: 'connected'; transferId: string; agentId: string; department: string | null }
  /** The caller leaves the line (hung up, waited too long, a callback took the place): and lets go of an agent given meanwhile. */
  | { type: 'leave'; transferId: string };

/** What the floor tells a caller waiting in line. */
export type LineNotice =
  /** An agent is free and reserved for this caller: transfer now. */
  | { type: 'assigned'; agentId: string; waitedSeconds: number }
  /** Their place changed. */
  | { type: 'position'; position: number; estimateSeconds: number };

/** Sent by the floor to a waiting transfer (or callback). */
export const lineNoticeSignal = defineSignal<[LineNotice]>('lineNotice');
export const floorNoticeSignal = defineSignal<[FloorNotice]>('notice');

/**
 * What an operator or an agent's desktop may say about an agent: `available` = ready for the next caller (ends
 * any after-call hold), `wrap-up` = the call itself ended and after-call work began, `offline` = logged out.
 */
export const AGENT_STATUS_COMMANDS = ['available', 'wrap-up', 'offline'] as const;
export type AgentStatusCommand = (typeof AGENT_STATUS_COMMANDS)[number];

/** One agent as operators see them. Times are ISO 8601. */
export interface AgentView {
  id: string;
  state: AgentStateName;
  since: string;
  presence: 'available' | 'offline';
  office: string;
  departments: string[];
  load: number;
  maxConcurrent: number;
  lastAssignedAt: string | null;
  assignments: { transferId: string; state: Assignment['state']; since: string; until: string }[];
}

export interface AgentPageRequest {
  offset?: number;
  limit?: number;
  department?: string;
  state?: AgentStateName;
  /** Agent ids containing this text. */
  search?: string;
}

export interface AgentPage {
  revision: number;
  rosterVersion: string;
  /** Agents matching the filters (before paging). */
  total: number;
  /** Agents in each state, over the whole floor. */
  counts: Record<AgentStateName, number>;
  agents: AgentView[];
}

/** A page of agents, filtered; one read however many agents there are. */
export const agentPageQuery = defineQuery<AgentPage, [AgentPageRequest]>('agents');

/** One department's agents, counted by state. */
export interface DepartmentSummary {
  id: string;
  agents: number;
  counts: Record<AgentStateName, number>;
}

/** What changed on the floor since a revision a reader holds: the agents that changed, and every department's counts. */
export interface FloorChanges {
  revision: number;
  rosterVersion: string;
  /** True when the reader must drop what it holds (it was behind a roster change): `agents` is then every agent. */
  full: boolean;
  agents: AgentView[];
  departments: DepartmentSummary[];
}

/** The floor's changes since `sinceRevision` (0: everything): one read, however many agents, for live views. */
export const floorChangesQuery = defineQuery<FloorChanges, [{ sinceRevision: number }]>('changes');

/** One department's line as a supervisor reads it: who waits, how long, how well it is served. */
export interface LineView {
  department: string;
  waiting: number;
  /** Seconds the longest-waiting caller has waited; null when nobody waits. */
  oldestWaitSeconds: number | null;
  /** The department's service-level target: answered within `targetSeconds`, over the last hour. */
  serviceLevel: { targetSeconds: number; answered: number; withinTarget: number };
  /** Callbacks promised and not yet placed. */
  callbacksDue: number;
  maxWaitSeconds: number;
  maxWaiting: number;
  /** The callers in line, in the order they will be served (at most the first 50). */
  entries: { transferId: string; position: number; priority: number; waitedSeconds: number; callback: boolean }[];
}

/**
 * What the floor would answer this reservation now, changing nothing (a copy of the floor decides): routing
 * explain's dry run, "waits in line" and the place included.
 */
export const dryRunQuery = defineQuery<FloorReservation, [{ criteria: AgentCriteria; line?: ReserveCommand['line'] }]>('dryRun');

/** Every department that has a line (none: no department of the routing file sets one). */
export const linesQuery = defineQuery<LineView[]>('lines');

/** Live state of the agents routing dry runs need (all, or one department's), in one read. */
export const liveStatesQuery = defineQuery<{ revision: number; rosterVersion: string; agents: Record<string, AgentLiveState> }, [{ department?: string }]>('liveStates');
