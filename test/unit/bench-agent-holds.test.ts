import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { DEFAULT_AFTER_CALL } from '../../src/contracts';
import { LOCAL_ACTIVITY_MARKER } from '../../src/operations/transfer-history';
import { createDataConverter } from '../../src/temporal/data-converter';
import type { AgentHold } from '../../bench/harness/agent-holds';
import { checkOverbooking, peakOf } from '../../bench/harness/agent-holds';
import type { ReadyMark } from '../../bench/harness/fake-vapi';
import type { HoldEvidence } from '../../bench/harness/transfer-holds';
import { afterCallFrom, holdsFromTransferHistory, readyMarksByAgent } from '../../bench/harness/transfer-holds';
import { HISTORIES_DIR } from '../support/history-scenarios';

const hold = (agentId: string, transferId: string, from: number, to: number): AgentHold => ({ agentId, transferId, from, to });
const capacity = new Map([
  ['a-1', 1],
  ['a-2', 2],
]);

describe('over-booking check over agent holds', () => {
  it('passes an agent of capacity 1 whose holds follow each other back to back', () => {
    const report = checkOverbooking([hold('a-1', 't-1', 0, 100), hold('a-1', 't-2', 100, 200), hold('a-1', 't-3', 250, 300)], capacity);

    expect(report.overbooked).toEqual([]);
    expect(report.busiest[0]).toMatchObject({ agentId: 'a-1', peak: 1, maxConcurrent: 1 });
  });

  it('flags an agent of capacity 1 held by two transfers at once, naming when and by whom', () => {
    const report = checkOverbooking([hold('a-1', 't-1', 0, 100), hold('a-1', 't-2', 99, 200)], capacity);

    expect(report.overbooked).toEqual([{ agentId: 'a-1', maxConcurrent: 1, peak: 2, at: 99, transferIds: ['t-1', 't-2'] }]);
  });

  it('lets an agent of capacity 2 take two calls at once and flags the third', () => {
    const two = [hold('a-2', 't-1', 0, 100), hold('a-2', 't-2', 50, 150)];

    expect(checkOverbooking(two, capacity).overbooked).toEqual([]);
    expect(checkOverbooking([...two, hold('a-2', 't-3', 60, 70)], capacity).overbooked).toEqual([
      { agentId: 'a-2', maxConcurrent: 2, peak: 3, at: 60, transferIds: ['t-1', 't-2', 't-3'] },
    ]);
  });

  it('judges each agent on its own: holds of different agents never add up', () => {
    const report = checkOverbooking([hold('a-1', 't-1', 0, 100), hold('a-2', 't-2', 0, 100), hold('a-2', 't-3', 0, 100)], capacity);

    expect(report.overbooked).toEqual([]);
    expect(report.agentsHeld).toBe(2);
  });

  it('counts holds the records cannot prove (zero or negative length) apart, never as over-booking', () => {
    const report = checkOverbooking([hold('a-1', 't-1', 0, 100), hold('a-1', 't-2', 50, 50), hold('a-1', 't-3', 80, 60)], capacity);

    expect(report.emptyHolds).toBe(2);
    expect(report.overbooked).toEqual([]);
  });

  it('names a held agent the routing file does not know instead of passing it', () => {
    expect(checkOverbooking([hold('a-9', 't-1', 0, 100)], capacity).unknownAgents).toEqual(['a-9']);
  });

  it('finds the peak wherever it is in unsorted holds', () => {
    const holds = [hold('a-2', 't-4', 500, 600), hold('a-2', 't-1', 0, 1_000), hold('a-2', 't-3', 550, 560), hold('a-2', 't-2', 100, 200)];

    expect(peakOf(holds)).toEqual({ peak: 3, at: 550, transferIds: ['t-1', 't-3', 't-4'] });
  });
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * A transfer's history by hand, with only what the hold reader looks at: workflow task starts, local activity
 * markers (core's bookkeeping, the summary, the result or a failure) and regular activities (scheduled with
 * summary and input, started with an attempt). Times are epoch ms.
 */
class TransferHistory {
  readonly events: HistoryEvent[] = [];

  task(at: number): this {
    return this.push(at, { workflowTaskStartedEventAttributes: {} });
  }

  local(at: number, activity: string, summary: string, outcome: { result: unknown } | { failure: string }): this {
    const details: Record<string, unknown> = { data: { payloads: [payload({ activity_type: activity, attempt: 1, complete_time: time(at) })] } };
    if ('result' in outcome) details.result = { payloads: [payload(outcome.result)] };
    return this.push(at, {
      userMetadata: { summary: payload(summary) },
      markerRecordedEventAttributes: { markerName: LOCAL_ACTIVITY_MARKER, details, ...('failure' in outcome ? { failure: { message: outcome.failure } } : {}) },
    });
  }

  /** A regular activity, and its started event if it started (written at once here; a server writes it when the activity closes). */
  activity(at: number, name: string, summary: string, input: unknown, started?: { at: number; attempt: number }): this {
    this.push(at, { userMetadata: { summary: payload(summary) }, activityTaskScheduledEventAttributes: { activityType: { name }, input: { payloads: [payload(input)] } } });
    const scheduledEventId = this.events.length;
    return started ? this.push(started.at, { activityTaskStartedEventAttributes: { scheduledEventId, attempt: started.attempt } }) : this;
  }

  private push(at: number, event: Record<string, unknown>): this {
    this.events.push({ eventId: this.events.length + 1, eventTime: time(at), ...event } as unknown as HistoryEvent);
    return this;
  }
}

const payload = (value: unknown) => defaultPayloadConverter.toPayload(value)!;
const time = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: Math.round((ms % 1000) * 1e6) });

/** A transfer that reserves `agentId` at `reservedAt`, is forwarded and tells the floor the agent is on the call at `connectedAt`. */
const connectedTransfer = (agentId: string, reservedAt: number, connectedAt: number, department = 'support') =>
  new TransferHistory()
    .task(reservedAt - 5)
    .local(reservedAt, 'reserveAgent', `Reserve an agent in ${department}`, { result: { agentId } })
    .task(connectedAt - 10)
    .activity(connectedAt - 5, 'executeTransfer', `Transfer to agent ${agentId}`, {}, { at: connectedAt - 5, attempt: 1 })
    .task(connectedAt - 2)
    .activity(connectedAt, 'agentConnected', `Agent ${agentId} is on the call`, { transferId: 't', agentId, department }, { at: connectedAt, attempt: 1 }).events;

const marks = (...list: ReadyMark[]) => readyMarksByAgent(list);

describe("agent holds read from today's transfer histories", () => {
  const converter = loadDataConverter(createDataConverter());
  const fixture = (name: string) => historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, '2.0', `${name}.json`), 'utf8'))).events ?? [];
  const at = (iso: string, extraMs = 0) => Date.parse(iso) + extraMs;
  const evidence: HoldEvidence = {
    endMs: at('2026-12-31T00:00:00Z'),
    ttlMs: 15 * 60_000,
    afterCallMs: afterCallFrom([
      { id: 'billing', afterCallSeconds: 120 },
      { id: 'support', afterCallSeconds: 30 },
    ]),
    readyMarks: new Map(),
  };
  const read = (events: readonly HistoryEvent[], more: Partial<HoldEvidence> = {}, transferId = 't-1') => holdsFromTransferHistory(converter, transferId, events, { ...evidence, ...more });

  it("holds a forwarded transfer's agent from its reservation marker to the first ready mark sent after the connection", async () => {
    // Marker 13 recorded a-ana's reservation; agentConnected (30) started at 45.205123963, attempt 1.
    const connectedAt = at('2026-12-07T04:06:45.205Z', 0.123963);
    const { holds, ended } = await read(fixture('success-forwarded'), {
      readyMarks: marks(
        { agentId: 'a-ana', sentAt: connectedAt - 50, acceptedAt: connectedAt - 1 },
        { agentId: 'a-ben', sentAt: connectedAt + 1_000, acceptedAt: connectedAt + 1_010 },
        { agentId: 'a-ana', sentAt: connectedAt + 7_000, acceptedAt: connectedAt + 7_020 },
        { agentId: 'a-ana', sentAt: connectedAt + 9_000, acceptedAt: connectedAt + 9_020 },
      ),
    });

    expect(holds).toHaveLength(1);
    expect(holds[0]).toMatchObject({ agentId: 'a-ana', transferId: 't-1' });
    expect(holds[0]!.from).toBeCloseTo(at('2026-12-07T04:06:45.110Z', 0.735576), 3);
    expect(holds[0]!.to).toBeCloseTo(connectedAt + 7_000, 3);
    expect(ended).toMatchObject({ 'ready-mark': 1, released: 0, 'after-call': 0 });
  });

  it("holds a connected agent nobody marks ready for the department's after-call time from the connection", async () => {
    const connectedAt = at('2026-12-07T04:06:45.205Z', 0.123963);
    const { holds, ended } = await read(fixture('success-forwarded'));

    expect(holds[0]!.to).toBeCloseTo(connectedAt + 120_000, 3);
    expect(ended['after-call']).toBe(1);
  });

  it('frees an agent who did not connect when its release activity started, and holds the fallback agent from its own reservation', async () => {
    const { holds, ended } = await read(fixture('fallback-next-agent'));

    expect(holds.map((hold) => hold.agentId)).toEqual(['a-ana', 'a-ben']);
    // Marker 10 reserved a-ana; releaseAgent (32) started at 31.797304673; marker 38 reserved a-ben, connected
    // (48, started at 31.839417288) in support, whose after-call time is 30 s.
    expect(holds[0]!.from).toBeCloseTo(at('2026-12-07T04:07:30.758Z', 0.288264), 3);
    expect(holds[0]!.to).toBeCloseTo(at('2026-12-07T04:07:31.797Z', 0.304673), 3);
    expect(holds[1]!.from).toBeCloseTo(at('2026-12-07T04:07:31.823Z', 0.731891), 3);
    expect(holds[1]!.to).toBeCloseTo(at('2026-12-07T04:07:31.839Z', 0.417288) + 30_000, 3);
    expect(ended).toMatchObject({ released: 1, 'after-call': 1 });
  });

  it('holds an agent the floor reserved while the caller waited in line from the marker that names it', async () => {
    const { holds } = await read(fixture('waited-in-line-then-served'));

    expect(holds).toHaveLength(1);
    expect(holds[0]!.agentId).toBe('a-ana');
    expect(holds[0]!.from).toBeCloseTo(at('2026-12-07T04:37:06.304Z', 0.950983), 3);
  });

  it("lets a release that names no agent (the undo of a refused transfer) free the transfer's agent", async () => {
    const { holds, ended } = await read(fixture('transfer-rejected-compensated'));

    // releaseAgent (26), "Undo: Release the transfer's agent", started at 51.752829395.
    expect(holds).toEqual([{ agentId: 'a-ana', transferId: 't-1', from: expect.any(Number), to: expect.closeTo(at('2026-12-07T04:06:51.752Z', 0.829395), 3) }]);
    expect(ended.released).toBe(1);
  });

  it('ends a release that took several attempts when it was scheduled: an earlier attempt may have reached the floor', async () => {
    const release = (started: { at: number; attempt: number } | undefined) =>
      new TransferHistory()
        .task(995)
        .local(1_000, 'reserveAgent', 'Reserve an agent in support', { result: { agentId: 'a-1' } })
        .task(2_000)
        .activity(2_010, 'releaseAgent', 'Release agent a-1: did not connect', { transferId: 't-1', agentId: 'a-1' }, started).events;

    expect((await read(release({ at: 2_011, attempt: 1 }))).holds[0]!.to).toBe(2_011);
    expect((await read(release({ at: 9_000, attempt: 3 }))).holds[0]!.to).toBe(2_010);
    expect((await read(release(undefined))).holds[0]!.to).toBe(2_010);
  });

  it('does not let a ready mark the API accepted before the connection end the call, and ends it at the connection for one in flight across it', async () => {
    const events = connectedTransfer('a-1', 1_000, 2_000);
    const before = { agentId: 'a-1', sentAt: 1_500, acceptedAt: 1_990 };

    expect((await read(events, { readyMarks: marks(before, { agentId: 'a-1', sentAt: 6_000, acceptedAt: 6_020 }) })).holds[0]!.to).toBe(6_000);
    expect((await read(events, { readyMarks: marks({ ...before, acceptedAt: 2_030 }) })).holds[0]!.to).toBe(2_000);
    expect((await read(events, { readyMarks: marks({ ...before, acceptedAt: null }) })).holds[0]!.to).toBe(2_000);
  });

  it('catches a floor that frees an agent when the call is forwarded: a second reservation of a one-call agent before their ready mark is over-booked', async () => {
    const capacity = new Map([['a-1', 1]]);
    const readyMarks = marks({ agentId: 'a-1', sentAt: 9_000, acceptedAt: 9_015 }, { agentId: 'a-1', sentAt: 20_000, acceptedAt: 20_015 });
    const first = await read(connectedTransfer('a-1', 1_000, 2_000), { readyMarks }, 't-1');
    const tooSoon = await read(connectedTransfer('a-1', 5_000, 6_000), { readyMarks }, 't-2');
    const afterTheMark = await read(connectedTransfer('a-1', 9_100, 10_000), { readyMarks }, 't-3');

    expect(checkOverbooking([...first.holds, ...tooSoon.holds], capacity).overbooked).toEqual([{ agentId: 'a-1', maxConcurrent: 1, peak: 2, at: 5_000, transferIds: ['t-1', 't-2'] }]);
    expect(checkOverbooking([...first.holds, ...afterTheMark.holds], capacity).overbooked).toEqual([]);
  });

  it("lets the agent go after the department's after-call time when no ready mark comes, not before", async () => {
    const capacity = new Map([['a-1', 1]]);
    // support's after-call time is 30 s: the first call holds a-1 until 32 000.
    const first = await read(connectedTransfer('a-1', 1_000, 2_000), {}, 't-1');

    expect(checkOverbooking([...first.holds, ...(await read(connectedTransfer('a-1', 31_000, 33_000), {}, 't-2')).holds], capacity).overbooked).toHaveLength(1);
    expect(checkOverbooking([...first.holds, ...(await read(connectedTransfer('a-1', 32_000, 33_000), {}, 't-3')).holds], capacity).overbooked).toEqual([]);
  });

  it("gives a connection whose department it cannot read the shortest after-call time of the routing file's", () => {
    const afterCall = afterCallFrom([
      { id: 'billing', afterCallSeconds: 120 },
      { id: 'support', afterCallSeconds: 30 },
    ]);

    expect([afterCall('billing'), afterCall('nowhere'), afterCall(null), afterCall(undefined)]).toEqual([120_000, DEFAULT_AFTER_CALL.afterCallSeconds * 1000, DEFAULT_AFTER_CALL.afterCallSeconds * 1000, 30_000]);
  });

  it('keeps a reservation never connected nor released until its TTL, or the end of the run if that is sooner', async () => {
    const events = new TransferHistory().task(995).local(1_000, 'reserveAgent', 'Reserve an agent in support', { result: { agentId: 'a-1' } }).events;

    expect((await read(events)).holds[0]!.to).toBe(995 + 15 * 60_000);
    expect(await read(events, { endMs: 60_000 })).toMatchObject({ holds: [{ to: 60_000 }], ended: { 'end-of-run': 1 } });
  });

  it('counts a reservation that failed in the transfer\'s eyes as unknown, and its release frees nothing it did not see', async () => {
    const events = new TransferHistory()
      .task(995)
      .local(1_000, 'reserveAgent', 'Reserve an agent in support', { failure: 'update timed out' })
      .task(1_100)
      .activity(1_110, 'releaseAgent', "Release the transfer's agent (its reservation went unanswered)", { transferId: 't-1' }, { at: 1_111, attempt: 1 }).events;

    expect(await read(events)).toMatchObject({ holds: [], unknownReservations: 1, undecodedReservations: 0 });
  });

  it('counts reservation results it cannot decode (encrypted, read without the key) instead of passing them as no hold', async () => {
    const withoutKey = loadDataConverter({
      payloadCodecs: [
        {
          encode: async (payloads) => payloads,
          decode: async () => {
            throw new Error('no key for these payloads');
          },
        },
      ],
    });

    const found = await holdsFromTransferHistory(withoutKey, 't-encrypted', fixture('success-forwarded'), evidence);

    expect(found).toMatchObject({ holds: [], unknownReservations: 0, undecodedReservations: 1, connectionsWithoutHold: 1 });
  });

  it('still reads a 1.0 transfer (a run of an older commit), whose release was a local activity in the task that forwarded the call', async () => {
    const v1 = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, '1.0', 'fallback-next-agent.json'), 'utf8'))).events ?? [];
    const { holds, ended } = await read(v1);

    expect(holds.map((hold) => hold.agentId)).toEqual(['a-ana', 'a-ben']);
    // Workflow task 28 started the release of a-ana, task 41 that of a-ben.
    expect(holds[0]!.to).toBeCloseTo(at('2026-11-30T11:04:14.561Z', 0.391483), 3);
    expect(holds[1]!.to).toBeCloseTo(at('2026-11-30T11:04:14.700Z', 0.364732), 3);
    expect(ended.released).toBe(2);
  });

  it('finds no hold in a transfer routed to a line', async () => {
    expect((await read(fixture('success-unconfirmed'))).holds).toEqual([]);
  });
});
