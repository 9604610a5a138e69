import type { temporal } from '@temporalio/proto';
import { parseProc } from '../../bench/harness/proc-stats';
import { sumByLabel } from '../../bench/harness/server-metrics';
import { criticalPath } from '../../bench/harness/timeline';

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

describe('benchmark measurements', () => {
  it('reads CPU time and resident memory from /proc, even when the command name has spaces and parentheses', () => {
    const stat = '4242 (node (tsx) main) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 12 0 999 123456 789';
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';

    const sample = parseProc(stat, status);

    expect(sample.cpuSeconds).toBeCloseTo(3, 5); // (250 + 50) ticks at 100 per second
    expect(sample.rssBytes).toBe(100 * 2 ** 20);
    expect(sample.peakRssBytes).toBe(200 * 2 ** 20);
  });

  it('sums a Prometheus counter by one label across its other labels', () => {
    const text = [
      'persistence_requests{operation="UpdateWorkflowExecution",service_name="history"} 20',
      'persistence_requests{operation="UpdateWorkflowExecution",service_name="matching"} 2',
      'persistence_requests{operation="GetNamespace",service_name="frontend"} 5',
      'persistence_latency_count{operation="GetNamespace"} 99',
    ].join('\n');

    expect(Object.fromEntries(sumByLabel(text, 'persistence_requests', 'operation'))).toEqual({ UpdateWorkflowExecution: 22, GetNamespace: 5 });
  });

  it('splits webhook-to-transfer into start, workflow tasks waiting and running, activities, and the transfer itself, and counts workflow tasks', () => {
    // Only the fields criticalPath reads; ids are plain numbers here where protobuf would give Longs.
    const events = [
      { eventId: 1, eventTime: at(1_010), workflowExecutionStartedEventAttributes: {} },
      { eventId: 2, eventTime: at(1_010), workflowTaskScheduledEventAttributes: {} },
      { eventId: 3, eventTime: at(1_030), workflowTaskStartedEventAttributes: {} },
      { eventId: 4, eventTime: at(1_040), workflowTaskCompletedEventAttributes: {} },
      { eventId: 5, eventTime: at(1_040), activityTaskScheduledEventAttributes: { activityType: { name: 'reserveAgent' } } },
      { eventId: 6, eventTime: at(1_090), activityTaskCompletedEventAttributes: { scheduledEventId: 5 } },
      { eventId: 7, eventTime: at(1_090), workflowTaskScheduledEventAttributes: {} },
      { eventId: 8, eventTime: at(1_095), workflowTaskStartedEventAttributes: {} },
      { eventId: 9, eventTime: at(1_105), workflowTaskCompletedEventAttributes: {} },
      { eventId: 10, eventTime: at(1_105), activityTaskScheduledEventAttributes: { activityType: { name: 'executeTransfer' } } },
      { eventId: 11, eventTime: at(1_120), activityTaskCompletedEventAttributes: { scheduledEventId: 10 } },
    ];

    expect(criticalPath(events as unknown as temporal.api.history.v1.IHistoryEvent[], 1_000)).toEqual({
      toWorkflowStart: 10,
      workflowTaskWait: 25,
      localActivities: 0,
      workflowTaskWork: 20,
      activityWait: 50,
      transferActivity: 15,
      total: 120,
      workflowTasksBeforeTransfer: 2,
      workflowTasks: 2,
    });
  });
});
