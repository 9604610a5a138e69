import { transferWorkflowId } from '../../src/contracts';
import type { TransferAccounting } from './accounting';
import { accountTransfers } from './accounting';
import type { DeliveryRecord } from './accounting';
import type { FakeVapi } from './fake-vapi';
import { runOpenLoop } from './load-generator';
import type { ProcessUsage } from './proc-stats';
import { ProcessSampler } from './proc-stats';
import type { ServerWork } from './server-metrics';
import { ServerMetrics } from './server-metrics';
import type { LatencySummary } from './stats';
import { summarize } from './stats';
import type { SimulatedCall, TrafficMix } from './traffic';
import { simulatedCall } from './traffic';
import type { WebhookAnswer } from './webhook-client';
import { postJson } from './webhook-client';

/** How the harness names the dev server's process and its own among the processes it measures. */
export const DEV_SERVER_PROCESS = 'temporal';
export const LOAD_GENERATOR_PROCESS = 'load generator';

export interface PhaseOptions {
  name: string;
  webhookUrl: string;
  /** Send offsets in ms (see load-generator). */
  schedule: readonly number[];
  vapi: FakeVapi;
  /** Deliveries of each webhook, sent at the same instant (Vapi retrying, or a duplicate). */
  deliveriesPerCall?: number;
  /** How long to wait after the last send for transfers still on their way. */
  drainTimeoutMs?: number;
  /** Processes to measure, re-read at every sample (chaos restarts them). */
  processes: () => { name: string; pid: number | undefined }[];
  /** Runs once the load has been going for `atMs` (fault injection). */
  during?: { atMs: number; action: () => Promise<void> }[];
  /** After the drain, extra time during which a second transfer would still be noticed. */
  lingerMs?: number;
  /** The Temporal server's metrics endpoint, when there is one. */
  serverMetricsUrl?: () => string | undefined;
  /** What the calls ask for and who calls (default: the demo contact center's mix). */
  traffic?: TrafficMix;
  /** The `say` that asks a caller to hold: tells a held caller from an apologised-to one in the accounting. */
  holdMessage?: string;
  /** Each accepted call's recorded outcome by call id, read once the phase has drained (see outcomes.ts). */
  recordedOutcomes?: (workflowIds: readonly string[]) => Promise<ReadonlyMap<string, string>>;
}

export interface PhaseResult {
  name: string;
  offeredRatePerSecond: number;
  calls: number;
  deliveries: number;
  /** Answers by HTTP status ("0" = no answer). */
  answers: Record<string, number>;
  /** Deliveries not answered 2xx. */
  errors: number;
  /** A few distinct error texts, for the report. */
  errorSamples: string[];
  ackMs: LatencySummary;
  webhookToTransferMs: LatencySummary;
  /** CPU time of the measured processes (load generator and rest of machine excluded) per executed transfer. */
  cpuMsPerTransfer: number;
  /** The same, apart: the Temporal dev server, and the service (Switchboard's processes, or the baseline's). */
  cpuMsPerTransferSplit: { devServer: number; service: number };
  /** Agents marked ready through the operator API after their handle time (see fake-vapi.ts), when enabled. */
  readyCalls: { scheduled: number; sent: number; accepted: number };
  /** Transfers executed per second, first send to last transfer. */
  transfersPerSecond: number;
  /** 2xx answers per second over the send window. */
  acceptedPerSecond: number;
  accounting: TransferAccounting;
  generatorMaxLagMs: number;
  usage: ProcessUsage[];
  /** Temporal server work per transfer (persistence and API calls), when measured. */
  serverWork: ServerWork | null;
  /** The transferred call with the median webhook-to-transfer time, to read its workflow history. */
  sampleCall: { callId: string; toolCallId: string; sentAtEpochMs: number; webhookToTransferMs: number } | null;
  /** Up to 25 transferred calls spread over the phase, to read where their time went. */
  spreadCalls: { callId: string; toolCallId: string; sentAtEpochMs: number }[];
  /** The transfer workflow of every accepted call, to read their histories afterwards. */
  workflowIds: string[];
  /** Raw samples for the histogram. */
  samples: { ackMs: number[]; webhookToTransferMs: number[] };
}

/**
 * One open-loop load phase: sends every call of the schedule on time, waits for the transfers, and joins the
 * answers with what the control URL received.
 */
export async function runLoadPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { vapi, schedule } = options;
  const deliveriesPerCall = options.deliveriesPerCall ?? 1;
  const calls: SimulatedCall[] = schedule.map((_, index) => simulatedCall(index, (callId) => vapi.control.controlUrlFor(callId), options.traffic));
  calls.forEach((call) => vapi.track(call));
  const scheduledAt = new Map<string, number>();
  const deliveries: DeliveryRecord[] = [];
  const ackMs: number[] = [];
  const answers: Record<string, number> = {};
  const errorSamples = new Set<string>();
  const inFlight: Promise<void>[] = [];
  let lastSendAt = 0;

  const sampler = new ProcessSampler(options.processes);
  const serverMetrics = new ServerMetrics(options.serverMetricsUrl ?? (() => undefined));
  await serverMetrics.start();
  sampler.start();
  const faults = (options.during ?? []).map(
    (fault) => new Promise<void>((resolve, reject) => setTimeout(() => fault.action().then(resolve, reject), fault.atMs)),
  );

  const run = await runOpenLoop(schedule, (index, at) => {
    const call = calls[index]!;
    scheduledAt.set(call.callId, at);
    lastSendAt = at;
    for (let copy = 0; copy < deliveriesPerCall; copy += 1) {
      inFlight.push(
        postJson(options.webhookUrl, call.body).then((answer: WebhookAnswer) => {
          const ok = answer.status >= 200 && answer.status < 300;
          if (ok) ackMs.push(performance.now() - at);
          answers[String(answer.status)] = (answers[String(answer.status)] ?? 0) + 1;
          if (!ok && errorSamples.size < 5) errorSamples.add(answer.error ?? `${answer.status} ${answer.body.slice(0, 160)}`);
          deliveries.push({ callId: call.callId, accepted: ok });
        }),
      );
    }
  });
  await Promise.all(inFlight);
  await Promise.all(faults);
  const loadEndedAt = performance.now();

  // Drain: every accepted call should reach the control URL; stop waiting once they all have.
  const accepted = new Set(deliveries.filter((delivery) => delivery.accepted).map((delivery) => delivery.callId));
  const drainDeadline = performance.now() + (options.drainTimeoutMs ?? 30_000);
  while (performance.now() < drainDeadline && [...accepted].some((callId) => !vapi.firstTransferAt.has(callId))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, options.lingerMs ?? 1_500));
  // The agents this phase's transfers went to are marked ready within it, so their calls count here.
  await vapi.readyCallsSettled();
  const measured = sampler.stop();
  // Whatever the machine did beyond the processes measured here (another job, the kernel) competes with them.
  const ours = measured.reduce((total, entry) => total + entry.cpuPercent, 0);
  const usage = [...measured, { name: 'rest of machine', cpuPercent: Math.max(0, sampler.machineCpuPercent - ours), cpuSeconds: 0, rssMbMean: 0, rssMbPeak: 0, samples: 0 }];
  const serverWork = await serverMetrics.stop(vapi.firstTransferAt.size);

  const webhookToTransferMs: number[] = [];
  let lastTransferAt = run.startedAt;
  for (const call of calls) {
    const transferAt = vapi.firstTransferAt.get(call.callId);
    const sentAt = scheduledAt.get(call.callId);
    if (transferAt === undefined || sentAt === undefined) continue;
    webhookToTransferMs.push(transferAt - sentAt);
    lastTransferAt = Math.max(lastTransferAt, transferAt);
  }
  const workflowIds = calls.filter((call) => accepted.has(call.callId)).map((call) => transferWorkflowId(call.callId, call.toolCallId));
  const outcomes = options.recordedOutcomes ? await options.recordedOutcomes(workflowIds) : undefined;
  // Unfiltered: a late transfer of an earlier phase shows up here as a stray command instead of vanishing.
  const accounting = accountTransfers(deliveries, vapi.commands(), { holdMessage: options.holdMessage, outcomes });
  const transfers = Math.max(1, webhookToTransferMs.length);
  const cpuMs = (pick: (name: string) => boolean) => (measured.filter((entry) => pick(entry.name)).reduce((total, entry) => total + entry.cpuSeconds, 0) * 1000) / transfers;
  const sendWindowSeconds = Math.max(0.001, (Math.max(lastSendAt, loadEndedAt) - run.startedAt) / 1000);
  const durationSeconds = schedule.length > 1 ? (schedule[schedule.length - 1]! - schedule[0]!) / 1000 : 1;
  return {
    name: options.name,
    offeredRatePerSecond: schedule.length > 1 ? (schedule.length - 1) / durationSeconds : schedule.length,
    calls: calls.length,
    deliveries: deliveries.length,
    answers,
    errors: deliveries.filter((delivery) => !delivery.accepted).length,
    errorSamples: [...errorSamples],
    ackMs: summarize(ackMs),
    webhookToTransferMs: summarize(webhookToTransferMs),
    cpuMsPerTransfer: cpuMs((name) => name !== LOAD_GENERATOR_PROCESS),
    cpuMsPerTransferSplit: {
      devServer: cpuMs((name) => name === DEV_SERVER_PROCESS),
      service: cpuMs((name) => name !== DEV_SERVER_PROCESS && name !== LOAD_GENERATOR_PROCESS),
    },
    readyCalls: vapi.readyCalls(),
    transfersPerSecond: webhookToTransferMs.length / Math.max(0.001, (lastTransferAt - run.startedAt) / 1000),
    acceptedPerSecond: ackMs.length / sendWindowSeconds,
    accounting,
    generatorMaxLagMs: run.maxLagMs,
    usage,
    serverWork,
    sampleCall: medianCall(calls, scheduledAt, vapi.firstTransferAt),
    spreadCalls: calls
      .filter((call) => vapi.firstTransferAt.has(call.callId))
      .filter((_, index, all) => index % Math.max(1, Math.floor(all.length / 25)) === 0)
      .slice(0, 25)
      .map((call) => ({ callId: call.callId, toolCallId: call.toolCallId, sentAtEpochMs: performance.timeOrigin + scheduledAt.get(call.callId)! })),
    workflowIds,
    samples: { ackMs, webhookToTransferMs },
  };
}

function medianCall(
  calls: readonly SimulatedCall[],
  scheduledAt: ReadonlyMap<string, number>,
  transferAt: ReadonlyMap<string, number>,
): PhaseResult['sampleCall'] {
  const timed = calls
    .filter((call) => scheduledAt.has(call.callId) && transferAt.has(call.callId))
    .map((call) => ({ call, latency: transferAt.get(call.callId)! - scheduledAt.get(call.callId)! }))
    .sort((a, b) => a.latency - b.latency);
  const median = timed[Math.floor((timed.length - 1) / 2)];
  if (!median) return null;
  return {
    callId: median.call.callId,
    toolCallId: median.call.toolCallId,
    // performance.now() and Date.now() share one clock origin; the server's event times are wall-clock.
    sentAtEpochMs: performance.timeOrigin + scheduledAt.get(median.call.callId)!,
    webhookToTransferMs: median.latency,
  };
}
