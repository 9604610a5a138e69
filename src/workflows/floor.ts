import { condition, continueAsNew, getExternalWorkflowHandle, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FloorCommand, FloorInput } from '../contracts';
import { AGENT_STATUS_COMMANDS, agentPageQuery, floorChangesQuery, floorCommandsUpdate, dryRunQuery, floorNoticeSignal, lineNoticeSignal, linesQuery, liveStatesQuery } from '../contracts';
import { FloorModel, emptyFloorState } from '../routing/floor-model';

/** A run of the floor carries on as a new one past this many events, whatever the server suggests. */
const DEFAULT_MAX_EVENTS_PER_RUN = 10_000;

/** A batch larger than this is refused before it reaches history: a process sends its commands in small groups. */
const MAX_BATCH = 200;

/**
 * Every agent and every reservation of one deployment (see `FloorModel` for the rules it keeps). Changes come
 * as one update carrying a batch of commands (reserve, set an agent's status, sync the roster), applied in
 * order, and as signals for what needs no answer (a release, a call that connected). A timer wakes it when
 * the next hold or reservation ends, so an agent freed by time is free at once. Callers waiting in a line are
 * told by signal when an agent is reserved for them or their place changes. It runs for ever and carries
 * its state into a new run before its history grows long or the server's per-run update budget runs out.
 */
export async function floor(input: FloorInput = {}): Promise<void> {
  const model = new FloorModel(input.state ?? emptyFloorState(input.roster, Date.now()));
  const maxEvents = input.maxEventsPerRun ?? DEFAULT_MAX_EVENTS_PER_RUN;
  /** When the timer the main loop waits on fires (epoch ms); a change that brings a deadline earlier wakes it. */
  let armedFor = Number.POSITIVE_INFINITY;
  let wake = false;
  /** The Web UI's current details: each line, who waits and the oldest wait; set only when it changed. */
  let details = '';
  const describe = () => {
    const now = model.describe(Date.now());
    if (now !== details) setCurrentDetails((details = now));
  };
  const rearmIfSooner = () => {
    if (model.nextDeadline(Date.now()) < armedFor || model.hasNotices) wake = true;
  };
  /** Line notices on their way to waiting transfers: a signal is a command of its own, sent from the main loop. */
  const sending = new Set<Promise<void>>();
  const sendNotices = () => {
    for (const { to, notice } of model.takeNotices()) {
      const sent: Promise<void> = getExternalWorkflowHandle(to)
        .signal(lineNoticeSignal, notice)
        // The waiting workflow has ended (the caller hung up, it timed out): their place goes, and so does an
        // agent reserved for them meanwhile.
        .catch(() => {
          model.unreachable(to, Date.now());
          rearmIfSooner();
        })
        .finally(() => sending.delete(sent));
      sending.add(sent);
    }
  };

  setHandler(
    floorCommandsUpdate,
    (commands) => {
      const now = Date.now();
      const replies = commands.map((command) => model.apply(command, now));
      rearmIfSooner();
      describe();
      return replies;
    },
    { validator: validateCommands },
  );
  setHandler(floorNoticeSignal, (notice) => {
    model.notice(notice, Date.now());
    rearmIfSooner();
    describe();
  });
  setHandler(agentPageQuery, (request) => model.page(request ?? {}, Date.now()));
  setHandler(floorChangesQuery, (request) => model.changes(request?.sinceRevision ?? 0, Date.now()));
  setHandler(linesQuery, () => model.lines(Date.now()));
  setHandler(dryRunQuery, (request) => model.dryRun(request.criteria, request.line, Date.now()));
  setHandler(liveStatesQuery, (request) => ({ revision: model.revision, rosterVersion: model.state.roster.version, agents: model.liveStates(request?.department, Date.now()) }));

  const continueAsNewDue = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxEvents;
  while (!continueAsNewDue()) {
    armedFor = model.nextDeadline(Date.now());
    const woken = () => wake || continueAsNewDue();
    if (Number.isFinite(armedFor)) await condition(woken, Math.max(armedFor - Date.now(), 1));
    else await condition(woken);
    wake = false;
    model.sweep(Date.now());
    sendNotices();
    describe();
  }
  // Update and signal handlers are synchronous, so none is ever half-way through here; notices on their way
  // are awaited, and what their failures changed is sent too, so nobody waiting is left untold.
  while (sending.size > 0 || model.hasNotices) {
    await Promise.all([...sending]);
    sendNotices();
  }
  await continueAsNew<typeof floor>({ state: model.state, maxEventsPerRun: input.maxEventsPerRun });
}

/** Refuses a malformed batch before it reaches history: a bad caller never changes the floor. */
function validateCommands(commands: FloorCommand[]): void {
  if (!Array.isArray(commands) || commands.length === 0 || commands.length > MAX_BATCH) throw new Error(`a batch holds 1 to ${MAX_BATCH} commands`);
  for (const command of commands) {
    switch (command?.type) {
      case 'reserve':
        requireId(command.transferId, 'transferId');
        requireTtl(command.ttlSeconds);
        if (typeof command.criteria?.department !== 'string' || !Array.isArray(command.criteria.candidateOffices) || !Array.isArray(command.criteria.exclude)) {
          throw new Error('reserve: criteria need department, candidateOffices and exclude');
        }
        break;
      case 'reserve-listed':
        requireId(command.transferId, 'transferId');
        requireTtl(command.ttlSeconds);
        if (!Array.isArray(command.candidates)) throw new Error('reserve-listed: candidates must be a list');
        break;
      case 'set-status':
        requireId(command.agentId, 'agentId');
        if (!(AGENT_STATUS_COMMANDS as readonly string[]).includes(command.status)) throw new Error(`set-status: status must be one of ${AGENT_STATUS_COMMANDS.join(', ')}`);
        break;
      case 'join-line':
        requireId(command.transferId, 'transferId');
        if (typeof command.criteria?.department !== 'string' || !Array.isArray(command.criteria.candidateOffices) || !Array.isArray(command.criteria.exclude)) {
          throw new Error('join-line: criteria need department, candidateOffices and exclude');
        }
        if (!['none', 'seniority', 'language'].includes(command.basePass)) throw new Error('join-line: basePass must be none, seniority or language');
        if (typeof command.joinedAt !== 'number' || typeof command.priority !== 'number') throw new Error('join-line: joinedAt and priority are numbers');
        break;
      case 'sync-roster':
        if (typeof command.roster?.version !== 'string' || !Array.isArray(command.roster.agents) || !Array.isArray(command.roster.departments)) {
          throw new Error('sync-roster: a roster has a version, agents and departments');
        }
        break;
      default:
        throw new Error(`unknown command ${String((command as { type?: unknown })?.type)}`);
    }
  }
}

function requireId(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) throw new Error(`${name} is required`);
}

function requireTtl(ttlSeconds: unknown): void {
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 86_400) throw new Error('ttlSeconds must be 1..86400');
}
