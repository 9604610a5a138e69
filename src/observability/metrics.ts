import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { InjectedSinks } from '@temporalio/worker';
import { AGENT_WORKFLOW_TYPE, CALLBACK_WORKFLOW_TYPE, FLOOR_WORKFLOW_TYPE, TRANSFER_OUTCOMES, TRANSFER_WORKFLOW_TYPE } from '../contracts';
import type { LineView, SwitchboardSinks } from '../contracts';
import { GET_CALL, VAPI_API_OUTCOMES } from '../integrations/call-status';
import type { VapiApiOutcome } from '../integrations/call-status';

export const METRIC_PREFIX = 'switchboard_';

/** Message types Vapi sends; anything else is counted as `other` so a hostile sender cannot explode label sets. */
const KNOWN_MESSAGE_TYPES = new Set([
  'tool-calls',
  'status-update',
  'transfer-update',
  'end-of-call-report',
  'transfer-destination-request',
  'assistant-request',
  'conversation-update',
  'speech-update',
  'hang',
  'model-output',
  'user-interrupted',
  'voice-input',
  'phone-call-control',
]);

const WORKFLOW_TYPES: ReadonlySet<string> = new Set([TRANSFER_WORKFLOW_TYPE, CALLBACK_WORKFLOW_TYPE, AGENT_WORKFLOW_TYPE, FLOOR_WORKFLOW_TYPE]);

export interface Metrics {
  registry: Registry;
  /** One webhook answered; `messageType` as parsed (unparsed bodies count as `invalid`). */
  webhookAnswered(messageType: string | undefined, status: number, seconds: number): void;
  /** One request to Vapi's API, by operation (`get-call`) and outcome (`ok`, `not-found`, `unavailable`, …). */
  vapiApiRequest(operation: string, outcome: VapiApiOutcome): void;
  /** One workflow task failed on this worker (see WorkflowTaskFailureWatch); types other than Switchboard's count as `other`. */
  workflowTaskFailed(workflowType: string): void;
  /** Exports the lines as gauges, read with `read` (the floor) on each scrape; the API process does. Once. */
  watchLines(read: () => Promise<LineView[]>): void;
  /**
   * A call event about an outbound call that no running transfer or callback took (a call back whose workflow
   * has ended, or a call Switchboard never placed): ignored, and counted here.
   */
  callEventIgnored(messageType: string): void;
  /** The sinks transfer and callback workflows report to (see TransferSinks, CallbackSinks). */
  sinks(): InjectedSinks<SwitchboardSinks>;
  /** Prometheus text: Switchboard's families, then any extra text (the Temporal SDK's own exporter). */
  render(): Promise<string>;
}

/**
 * Switchboard's Prometheus families. Departments are labels only when the routing file names them, for the
 * same reason as message types.
 */
export function createMetrics(options: { departments: readonly string[]; sdkMetricsUrl?: string; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const departments = new Set(options.departments);
  const [unknownDepartment, noDepartment] = ['other', 'none'];
  const department = (name: string | null | undefined) => (name ? (departments.has(name) ? name : unknownDepartment) : noDepartment);

  const webhookRequests = new Counter({
    name: `${METRIC_PREFIX}webhook_requests_total`,
    help: 'Webhook requests answered, by Vapi message type and HTTP status.',
    labelNames: ['message_type', 'status'] as const,
    registers: [registry],
  });
  const webhookDuration = new Histogram({
    name: `${METRIC_PREFIX}webhook_ack_seconds`,
    help: 'Time to answer a webhook (what Vapi waits for), by message type.',
    labelNames: ['message_type'] as const,
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const webhookToTransfer = new Histogram({
    name: `${METRIC_PREFIX}webhook_to_transfer_seconds`,
    help: 'From the webhook accepting a transfer request to Vapi accepting the control transfer, as seen by the workflow.',
    labelNames: ['department'] as const,
    buckets: [0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const transfers = new Counter({
    name: `${METRIC_PREFIX}transfers_total`,
    help: 'Transfers finished, by department and outcome.',
    labelNames: ['department', 'outcome'] as const,
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: `${METRIC_PREFIX}transfer_fallbacks_total`,
    help: 'Fallback transfers tried after a destination did not connect.',
    labelNames: ['department'] as const,
    registers: [registry],
  });
  const reservationsFailed = new Counter({
    name: `${METRIC_PREFIX}reservations_failed_total`,
    help: 'Reservations the floor could not answer in time (the caller went to the department line), by department.',
    labelNames: ['department'] as const,
    registers: [registry],
  });
  const lineWaits = new Histogram({
    name: `${METRIC_PREFIX}line_wait_seconds`,
    help: 'Time callers waited in a line, by department and how the wait ended (served, overflowed, abandoned, callback).',
    labelNames: ['department', 'how'] as const,
    buckets: [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800],
    registers: [registry],
  });
  const callbacks = new Counter({
    name: `${METRIC_PREFIX}callbacks_total`,
    help: 'Callbacks, by department and event: promised, placed (a call made), answered, missed (given up after its attempts), failed.',
    labelNames: ['department', 'event'] as const,
    registers: [registry],
  });
  const callEventsIgnored = new Counter({
    name: `${METRIC_PREFIX}call_events_ignored_total`,
    help: 'Vapi call events about outbound calls that no running transfer or callback was waiting for, by message type.',
    labelNames: ['message_type'] as const,
    registers: [registry],
  });
  const compensations = new Counter({
    name: `${METRIC_PREFIX}compensations_total`,
    help: 'Compensations run after a failed transfer, by compensation.',
    labelNames: ['compensation'] as const,
    registers: [registry],
  });

  const vapiApiRequests = new Counter({
    name: `${METRIC_PREFIX}vapi_api_requests_total`,
    help: "Requests to Vapi's API, by operation and outcome (ok, not-found, rejected, unavailable, timeout, unreachable, invalid-answer).",
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });

  const workflowTaskFailures = new Counter({
    name: `${METRIC_PREFIX}workflow_task_failures_total`,
    help: 'Workflow tasks that failed on this worker (nondeterminism, an exception in workflow code, a payload it cannot decode), by workflow type.',
    labelNames: ['workflow_type'] as const,
    registers: [registry],
  });

  // The counters alerts take rate() or increase() of start at 0 for every label set they can have: a series
  // first exposed at 1 has no earlier sample, so the first failure of each kind would go unseen
  // (ops/prometheus/alerts.yml).
  for (const name of [...departments, unknownDepartment, noDepartment]) {
    reservationsFailed.inc({ department: name }, 0);
    for (const outcome of TRANSFER_OUTCOMES) transfers.inc({ department: name, outcome }, 0);
  }
  for (const outcome of VAPI_API_OUTCOMES) vapiApiRequests.inc({ operation: GET_CALL, outcome }, 0);
  for (const workflowType of [...WORKFLOW_TYPES, 'other']) workflowTaskFailures.inc({ workflow_type: workflowType }, 0);

  const messageTypeLabel = (type: string | undefined) => (type === undefined ? 'invalid' : KNOWN_MESSAGE_TYPES.has(type) ? type : 'other');

  return {
    registry,
    webhookAnswered(messageType, status, seconds) {
      const label = messageTypeLabel(messageType);
      webhookRequests.inc({ message_type: label, status: String(status) });
      webhookDuration.observe({ message_type: label }, seconds);
    },
    vapiApiRequest(operation, outcome) {
      vapiApiRequests.inc({ operation, outcome });
    },
    watchLines(read) {
      if (!registry.getSingleMetric(`${METRIC_PREFIX}line_waiting`)) lineGauges(registry, read, department);
    },
    callEventIgnored(messageType) {
      callEventsIgnored.inc({ message_type: messageTypeLabel(messageType) });
    },
    workflowTaskFailed(workflowType) {
      workflowTaskFailures.inc({ workflow_type: WORKFLOW_TYPES.has(workflowType) ? workflowType : 'other' });
    },
    sinks() {
      return {
        transferMetrics: {
          executed: {
            fn: (_info, event) => {
              const seconds = (Date.now() - Date.parse(event.receivedAt)) / 1000;
              if (Number.isFinite(seconds) && seconds >= 0) webhookToTransfer.observe({ department: department(event.department) }, seconds);
            },
          },
          finished: { fn: (_info, event) => transfers.inc({ department: department(event.department), outcome: event.outcome }) },
          fallback: { fn: (_info, event) => fallbacks.inc({ department: department(event.department) }) },
          compensated: { fn: (_info, event) => compensations.inc({ compensation: event.compensation }) },
          reservationFailed: { fn: (_info, event) => reservationsFailed.inc({ department: department(event.department) }) },
          lineLeft: { fn: (_info, event) => lineWaits.observe({ department: department(event.department), how: event.how }, event.waitedSeconds) },
        },
        callbackMetrics: {
          event: { fn: (_info, event) => callbacks.inc({ department: department(event.department), event: event.event }) },
        },
      };
    },
    async render() {
      const own = await registry.metrics();
      if (!options.sdkMetricsUrl) return own;
      // The SDK's Rust core serves its worker metrics on a loopback port; one scrape target is simpler to run.
      const sdk = await fetch(options.sdkMetricsUrl, { signal: AbortSignal.timeout(2_000) })
        .then((response) => (response.ok ? response.text() : ''))
        .catch(() => '');
      return sdk ? `${own}\n# Temporal SDK worker metrics\n${sdk}` : own;
    },
  };
}

/**
 * The lines as gauges, read from the floor once per scrape (one query, however many departments): callers
 * waiting, the oldest wait, the service level's counts over the last hour, callbacks due. A floor that cannot be
 * read leaves them empty for that scrape rather than repeating stale figures.
 */
function lineGauges(registry: Registry, read: () => Promise<LineView[]>, department: (name: string) => string): void {
  let scrape: { at: number; lines: Promise<LineView[]> } | null = null;
  const lines = () => {
    if (!scrape || Date.now() - scrape.at > 1_000) scrape = { at: Date.now(), lines: read().catch(() => []) };
    return scrape.lines;
  };
  const gauge = (name: string, help: string, value: (line: LineView) => number | null) =>
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames: ['department'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const line of await lines()) {
          const measured = value(line);
          if (measured !== null) this.set({ department: department(line.department) }, measured);
        }
      },
    });
  gauge('line_waiting', 'Callers waiting in the line, by department.', (line) => line.waiting);
  gauge('line_oldest_wait_seconds', 'How long the longest-waiting caller has waited, by department (absent when nobody waits).', (line) => line.oldestWaitSeconds);
  gauge('line_max_wait_seconds', "The line's longest wait before a caller goes to the department line (max-wait-seconds).", (line) => line.maxWaitSeconds);
  gauge('line_answered_last_hour', 'Callers served from the line in the last hour, by department.', (line) => line.serviceLevel.answered);
  gauge('line_answered_within_target_last_hour', "Of those, served within the department's service-level target.", (line) => line.serviceLevel.withinTarget);
  gauge('line_callbacks_due', 'Callbacks promised and not yet placed, by department.', (line) => line.callbacksDue);
}
