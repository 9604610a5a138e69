import { temporal } from '@temporalio/proto';
import { assignmentPath, readyPaths } from '../../bench/harness/lines-histories';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
// fromObject turns plain seconds into the Long a fetched history carries.
const event = (ms: number, attributes: object): HistoryEvent =>
  temporal.api.history.v1.HistoryEvent.fromObject({ eventTime: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }, ...attributes });
const signal = (ms: number, signalName = 'lineNotice') => event(ms, { workflowExecutionSignaledEventAttributes: { signalName } });
const scheduled = (ms: number, name: string) => event(ms, { activityTaskScheduledEventAttributes: { activityType: { name } } });
const task = (ms: number) => event(ms, { workflowTaskStartedEventAttributes: {} });

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
