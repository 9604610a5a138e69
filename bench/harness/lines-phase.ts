import { transferWorkflowId } from '../../src/contracts';
import type { LineView } from '../../src/contracts';
import { destinationKey } from './contact-center-generator';
import type { FakeVapi, ReadyMark as FakeReadyMark } from './fake-vapi';
import type { LineCall, LineCommand, LineSample, ReadyMark } from './lines-accounting';
import { isJoinedMessage } from './lines-accounting';
import { runOpenLoop } from './load-generator';
import type { ProcessUsage } from './proc-stats';
import { ProcessSampler } from './proc-stats';
import type { LatencySummary } from './stats';
import { summarize } from './stats';
import type { TrafficMix } from './traffic';
import { simulatedCall } from './traffic';
import { postJson } from './webhook-client';

export interface LinesPhaseOptions {
  name: string;
  webhookUrl: string;
  apiUrl: string;
  adminToken: string;
  vapi: FakeVapi;
  /** Send offsets in ms (see load-generator). */
  schedule: readonly number[];
  traffic: TrafficMix;
  callerOffice(number: string): string;
  agentsByDestination: ReadonlyMap<string, string>;
  /** How long an agent handles a call before the fake marks them ready (after Vapi's forwarding report). */
  handleTimeMs(): number;
  /** Callers who join a line that hang up: this share, each after `patienceMs` unless transferred before. */
  hangUps: { share: number; patienceMs(): number; random(): number } | null;
  /** How long to wait after the last send for every caller to have an end. */
  drainTimeoutMs: number;
  processes: () => { name: string; pid: number | undefined }[];
  /** Sample the lines (GET /queues) once a second. */
  sampleLines: boolean;
}

export interface LinesPhaseRun {
  name: string;
  calls: LineCall[];
  /** Transfer workflow id by call id, to read what each recorded. */
  workflowIds: Map<string, string>;
  marks: ReadyMark[];
  samples: LineSample[];
  /** Failed reads of GET /queues (the floor did not answer within 5 s). */
  sampleErrors: number;
  loadStartedAt: number;
  loadEndedAt: number;
  /** When every accepted call had an end (a transfer or a hang-up), or the drain gave up. */
  drainedAt: number;
  drainTimedOut: boolean;
  ackMs: LatencySummary;
  answers: Record<string, number>;
  generatorMaxLagMs: number;
  readyCalls: { scheduled: number; sent: number; accepted: number };
  hangUps: { planned: number; sent: number; accepted: number };
  usage: ProcessUsage[];
  machineCpuPercent: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The lines as the floor has them now (GET /queues), per department. */
async function readLines(apiUrl: string, adminToken: string): Promise<LineView[]> {
  const response = await fetch(`${apiUrl}/queues`, { headers: { authorization: `Bearer ${adminToken}` }, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET /queues answered ${response.status}`);
  return ((await response.json()) as { lines: LineView[] }).lines;
}

/** The fake's marks sent since `fromEpochMs`, on the harness's clock (performance.now()) like every other time here. */
function harnessMarks(marks: readonly FakeReadyMark[], fromEpochMs: number): ReadyMark[] {
  const harness = (epochMs: number) => epochMs - performance.timeOrigin;
  return marks
    .filter((mark) => mark.sentAt >= fromEpochMs)
    .map((mark) => ({ agentId: mark.agentId, sentAt: harness(mark.sentAt), ...(mark.acceptedAt === null ? {} : { answeredAt: harness(mark.acceptedAt) }) }));
}

/**
 * One open-loop phase of callers for lines: sends the schedule on time; the fake Vapi answers every control
 * command, reports each first transfer forwarding, marks each agent ready after their handle time and hangs
 * up a share of the callers who join a line; meanwhile the floor's lines are sampled once a second. Ends once
 * every accepted caller has an end and the agents' marks are all sent.
 */
export async function runLinesPhase(options: LinesPhaseOptions): Promise<LinesPhaseRun> {
  const { vapi, schedule, traffic } = options;
  vapi.reset();
  const calls = schedule.map((_, index) => {
    const call = simulatedCall(index, (callId) => vapi.control.controlUrlFor(callId), traffic);
    return { call, office: options.callerOffice(traffic.callers[index % traffic.callers.length]!) };
  });
  calls.forEach(({ call }) => vapi.track(call));
  const records = new Map<string, LineCall & { commands: LineCommand[] }>(
    calls.map(({ call, office }) => [call.callId, { callId: call.callId, department: call.department, office, sentAt: Number.NaN, accepted: false, commands: [] }]),
  );

  // The callers' side: every command recorded with its arrival time; a share of those told they wait hang up.
  const decided = new Set<string>();
  const planned = new Set<string>();
  const hangingUp = new Set<Promise<unknown>>();
  const hangUp = (callId: string) => {
    const record = records.get(callId)!;
    if (record.hangUpAt !== undefined || record.commands.some((command) => command.type === 'transfer')) return;
    record.hangUpAt = performance.now();
    const sent = vapi.hangUp(options.webhookUrl, callId).finally(() => hangingUp.delete(sent));
    hangingUp.add(sent);
  };
  vapi.answerWith((command) => {
    const at = performance.now();
    const record = records.get(command.callId);
    const body = command.body as { type?: unknown; destination?: unknown; message?: { content?: unknown } } | null;
    const type = String(body?.type);
    const content = typeof body?.message?.content === 'string' ? body.message.content : undefined;
    record?.commands.push({ at, type, ...(type === 'transfer' ? { destination: destinationKey(body?.destination) } : {}), ...(content !== undefined ? { content } : {}) });
    const hangUps = options.hangUps;
    if (record && hangUps && type === 'add-message' && isJoinedMessage(content) && !decided.has(record.callId)) {
      decided.add(record.callId);
      if (hangUps.random() < hangUps.share) {
        planned.add(record.callId);
        const timer = pause(hangUps.patienceMs()).then(() => hangUp(record.callId));
        hangingUp.add(timer);
        void timer.finally(() => hangingUp.delete(timer));
      }
    }
    return { status: 200, body: {} };
  });
  // The fake keeps every mark it sends (epoch ms); this phase's are those sent from here on, since the phase
  // before ended with its agents' marks all sent.
  const marksFrom = Date.now();
  vapi.readyAgents({
    apiUrl: options.apiUrl,
    adminToken: options.adminToken,
    agentFor: (destination) => options.agentsByDestination.get(destinationKey(destination)),
    handleTimeMs: options.handleTimeMs,
  });

  // The floor's lines, once a second, in order (a slow answer delays the next sample rather than piling up).
  const samples: LineSample[] = [];
  let sampleErrors = 0;
  let sampling = options.sampleLines;
  const sampler = (async () => {
    while (sampling) {
      const tick = performance.now();
      try {
        const lines = await readLines(options.apiUrl, options.adminToken);
        samples.push({
          at: performance.now(),
          waiting: Object.fromEntries(lines.map((line) => [line.department, line.waiting])),
          oldestWaitSeconds: lines.reduce<number | null>((oldest, line) => (line.oldestWaitSeconds === null ? oldest : Math.max(oldest ?? 0, line.oldestWaitSeconds)), null),
        });
      } catch {
        sampleErrors += 1;
      }
      await pause(Math.max(0, 1_000 - (performance.now() - tick)));
    }
  })();

  const processes = new ProcessSampler(options.processes);
  processes.start();
  const ackMs: number[] = [];
  const answers: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  const run = await runOpenLoop(schedule, (index, at) => {
    const { call } = calls[index]!;
    records.get(call.callId)!.sentAt = at;
    inFlight.push(
      postJson(options.webhookUrl, call.body).then((answer) => {
        const ok = answer.status >= 200 && answer.status < 300;
        if (ok) {
          ackMs.push(performance.now() - at);
          records.get(call.callId)!.accepted = true;
        }
        answers[String(answer.status)] = (answers[String(answer.status)] ?? 0) + 1;
      }),
    );
  });
  const loadEndedAt = performance.now();
  await Promise.all(inFlight);

  // Drain: every accepted caller transferred somewhere or hung up.
  const ended = (record: LineCall) => !record.accepted || record.hangUpAt !== undefined || record.commands.some((command) => command.type === 'transfer');
  const deadline = performance.now() + options.drainTimeoutMs;
  while (performance.now() < deadline && ![...records.values()].every(ended)) await pause(200);
  const drainedAt = performance.now();
  const drainTimedOut = ![...records.values()].every(ended);
  while (hangingUp.size > 0) await Promise.all([...hangingUp]);
  // The last agents' marks, then a little longer: a second transfer or one after a hang-up would still show.
  await vapi.readyCallsSettled();
  await pause(2_000);
  sampling = false;
  await sampler;
  const usage = processes.stop();
  vapi.readyAgents(null);
  vapi.answerWith(() => ({ status: 200, body: {} }));

  return {
    name: options.name,
    calls: [...records.values()],
    workflowIds: new Map(calls.map(({ call }) => [call.callId, transferWorkflowId(call.callId, call.toolCallId)])),
    marks: harnessMarks(vapi.readyMarks(), marksFrom),
    samples,
    sampleErrors,
    loadStartedAt: run.startedAt,
    loadEndedAt,
    drainedAt,
    drainTimedOut,
    ackMs: summarize(ackMs),
    answers,
    generatorMaxLagMs: run.maxLagMs,
    readyCalls: vapi.readyCalls(),
    hangUps: { planned: planned.size, ...vapi.hangUps() },
    usage,
    machineCpuPercent: processes.machineCpuPercent,
  };
}
