import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { assignmentPath, floorWork, lineFacts, readyPaths } from '../../bench/harness/lines-histories';
import { LOCAL_ACTIVITY_MARKER } from '../../src/operations/transfer-history';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
// fromObject turns plain seconds into the Long a fetched history carries.
const event = (ms: number, attributes: object): HistoryEvent =>
  temporal.api.history.v1.HistoryEvent.fromObject({ eventTime: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }, ...attributes });
const signal = (ms: number, signalName = 'lineNotice') => event(ms, { workflowExecutionSignaledEventAttributes: { signalName } });
const scheduled = (ms: number, name: string) => event(ms, { activityTaskScheduledEventAttributes: { activityType: { name } } });
const task = (ms: number) => event(ms, { workflowTaskStartedEventAttributes: {} });
/** A local activity's marker as Core records it: the activity and its completion time in the details. */
const local = (ms: number, activity: string, completedAtMs: number) =>
  event(ms, {
    markerRecordedEventAttributes: {
      markerName: LOCAL_ACTIVITY_MARKER,
      details: { data: { payloads: [defaultPayloadConverter.toPayload({ activity_type: activity, attempt: 1, complete_time: { seconds: Math.floor(completedAtMs / 1000), nanos: (completedAtMs % 1000) * 1e6 } })] } },
    },
  });

describe("a served caller's history between the floor's word and the POST", () => {
  const events = [
    scheduled(1_000, 'tellAssistant'),
    signal(5_000),
    signal(9_000),
    task(9_020),
    scheduled(9_030, 'agentDestination'),
    signal(9_050, 'callEvent'),
    task(9_080),
    scheduled(9_100, 'executeTransfer'),
  ];

  it('starts at the last line notice before the transfer and names the steps and workflow tasks in between', () => {
    expect(assignmentPath(events)).toEqual({ signalAt: 9_000, transferScheduledAt: 9_100, steps: ['agentDestination'], workflowTasks: 2 });
  });

  it('has nothing to say of a transfer that never waited or never transferred', () => {
    expect(assignmentPath(events.filter((event) => event.workflowExecutionSignaledEventAttributes?.signalName !== 'lineNotice'))).toBeNull();
    expect(assignmentPath(events.slice(0, -1))).toBeNull();
  });

  it('splits a mark’s delay into the floor’s part, the workflow’s part and the POST', () => {
    const path = assignmentPath(events)!;
    const summary = readyPaths([{ agentId: 'a-1', sentAt: 8_800, verdict: 'served-line', waiting: 1, delayMs: 350, nextCallId: 'c-1' }], new Map([['c-1', 9_150]]), new Map([['c-1', path]]), 0);

    expect(summary).toMatchObject({ read: 1, markToSignalMs: { p50: 200 }, signalToScheduledMs: { p50: 100 }, scheduledToPostMs: { p50: 50 } });
    expect(summary.paths).toEqual([{ steps: 'agentDestination', transfers: 1, workflowTasks: 2 }]);
  });
});

describe("a transfer's time in line, from its history", () => {
  it('joins at the first reservation the floor answered and is given its agent at the notice before reading where the agent is', () => {
    const history = [local(1_100, 'reserveAgent', 1_050), scheduled(1_200, 'tellAssistant'), signal(4_000), signal(8_000), local(8_100, 'agentDestination', 8_060), local(8_300, 'reserveAgent', 8_250)];

    expect(lineFacts(history)).toEqual({ reservedAt: 1_050, assignedAt: 8_000 });
  });

  it('gives no assignment to a caller who never got an agent (hung up, or sent on)', () => {
    expect(lineFacts([local(1_100, 'reserveAgent', 1_050), signal(4_000)])).toEqual({ reservedAt: 1_050 });
  });
});

describe("the floor workflow's work over a window", () => {
  const run = (offset: number) => [
    temporal.api.history.v1.HistoryEvent.fromObject({ eventId: 1, eventTime: { seconds: offset, nanos: 0 }, workflowTaskScheduledEventAttributes: {} }),
    temporal.api.history.v1.HistoryEvent.fromObject({ eventId: 2, eventTime: { seconds: offset, nanos: 40e6 }, workflowTaskStartedEventAttributes: { scheduledEventId: 1 } }),
    temporal.api.history.v1.HistoryEvent.fromObject({ eventId: 3, eventTime: { seconds: offset, nanos: 70e6 }, workflowTaskCompletedEventAttributes: { scheduledEventId: 1, startedEventId: 2 } }),
    temporal.api.history.v1.HistoryEvent.fromObject({ eventId: 4, eventTime: { seconds: offset, nanos: 70e6 }, workflowExecutionUpdateAcceptedEventAttributes: {} }),
    temporal.api.history.v1.HistoryEvent.fromObject({ eventId: 5, eventTime: { seconds: offset, nanos: 70e6 }, signalExternalWorkflowExecutionInitiatedEventAttributes: {} }),
  ];

  it('counts tasks, their wait and their run, Updates and notices over every run, within the window only', () => {
    const work = floorWork([run(10), run(20), run(99)], 10_000, 30_000);

    expect(work).toMatchObject({ runs: 3, workflowTasks: 2, perSecond: 0.1, updates: 2, signalsOut: 2, signalsIn: 0 });
    expect(work.scheduleToStartMs).toMatchObject({ p50: 40, max: 40 });
    expect(work.startToCompleteMs).toMatchObject({ p50: 30, max: 30 });
  });
});
