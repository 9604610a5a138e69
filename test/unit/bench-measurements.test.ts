import { readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { parseHandleTime } from '../../bench/harness/bench-options';
import { historyBytes, historySizes, largestPayload } from '../../bench/harness/histories';
import { parseProc } from '../../bench/harness/proc-stats';
import { dependencySignature } from '../../bench/harness/ref-checkout';
import { HISTORIES_DIR } from '../support/history-scenarios';
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

  const fixturePath = (name: string) => path.join(HISTORIES_DIR, '1.0', `${name}.json`);
  const fixture = (name: string) => historyFromJSON(JSON.parse(readFileSync(fixturePath(name), 'utf8')));

  it("sizes a transfer's history as the protobuf the server stores, and finds its largest payload", () => {
    const history = fixture('success-forwarded');
    const json = readFileSync(fixturePath('success-forwarded'), 'utf8');

    const bytes = historyBytes(history);
    const largest = largestPayload(history)!;

    // Binary protobuf is smaller than the JSON export (base64 payloads, field names) but holds every payload.
    expect(bytes).toBeGreaterThan(json.length / 3);
    expect(bytes).toBeLessThan(json.length);
    // The routing file recorded by loadRoutingPolicy is the heaviest thing a transfer carries today.
    expect(largest.where).toBe('markerRecorded (loadRoutingPolicy)');
    expect(largest.bytes).toBeGreaterThan(1_000);
    expect(largest.bytes).toBeLessThan(bytes);
  });

  it('summarises the sizes of several histories by median and maximum', () => {
    const histories = ['success-forwarded', 'fallback-next-agent', 'not-connected'].map(fixture);
    const bytes = histories.map(historyBytes).sort((a, b) => a - b);

    expect(historySizes(histories)).toMatchObject({ histories: 3, medianBytes: bytes[1], maxBytes: bytes[2] });
    expect(historySizes([])).toBeNull();
  });

  it('reads a handle time as a range of seconds, a fixed time, or none, and refuses anything else', () => {
    expect(parseHandleTime('2-10')).toEqual({ minSeconds: 2, maxSeconds: 10 });
    expect(parseHandleTime('5')).toEqual({ minSeconds: 5, maxSeconds: 5 });
    expect(parseHandleTime('none')).toBeNull();
    expect(() => parseHandleTime('10-2')).toThrow('--handle-time must look like 2-10');
    expect(() => parseHandleTime('soon')).toThrow('--handle-time must look like 2-10');
  });

  it('lets two checkouts share node_modules only when their package.json files ask for the same dependencies', () => {
    const manifest = (deps: Record<string, string>, scripts = {}) => JSON.stringify({ name: 'x', scripts, dependencies: deps, devDependencies: { jest: '30' } });

    expect(dependencySignature(manifest({ a: '1', b: '2' }))).toBe(dependencySignature(manifest({ b: '2', a: '1' }, { bench: 'tsx' })));
    expect(dependencySignature(manifest({ a: '1' }))).not.toBe(dependencySignature(manifest({ a: '2' })));
  });
});
