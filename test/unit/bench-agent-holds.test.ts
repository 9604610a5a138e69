import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { createDataConverter } from '../../src/temporal/data-converter';
import type { AgentHold } from '../../bench/harness/agent-holds';
import { checkOverbooking, peakOf } from '../../bench/harness/agent-holds';
import { holdsFromTransferHistory } from '../../bench/harness/transfer-holds';
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

describe("agent holds read from today's transfer histories", () => {
  const converter = loadDataConverter(createDataConverter());
  const fixture = (name: string) => historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, '1.0', `${name}.json`), 'utf8'))).events ?? [];
  const at = (iso: string, extraMs = 0) => Date.parse(iso) + extraMs;
  const options = { endMs: at('2026-12-01T00:00:00Z'), ttlMs: 15 * 60_000 };

  it('holds the agent from its reservation marker to the start of the workflow task that released it', async () => {
    const { holds, unknownReservations } = await holdsFromTransferHistory(converter, 't-ok', fixture('success-forwarded'), options);

    expect(unknownReservations).toBe(0);
    expect(holds).toHaveLength(1);
    expect(holds[0]).toMatchObject({ agentId: 'a-ana', transferId: 't-ok' });
    expect(holds[0]!.to - holds[0]!.from).toBeGreaterThan(0);
    expect(holds[0]!.to - holds[0]!.from).toBeLessThan(1_000);
  });

  it('follows the fallback chain: the first agent released before the next one is held', async () => {
    const { holds } = await holdsFromTransferHistory(converter, 't-fallback', fixture('fallback-next-agent'), options);

    expect(holds.map((entry) => entry.agentId)).toEqual(['a-ana', 'a-ben']);
    // Marker 9 recorded the reservation; workflow task 28 started the release of a-ana, task 41 that of a-ben.
    expect(holds[0]!.from).toBeCloseTo(at('2026-11-30T11:04:13.473Z', 0.884109), 3);
    expect(holds[0]!.to).toBeCloseTo(at('2026-11-30T11:04:14.561Z', 0.391483), 3);
    expect(holds[1]!.to).toBeCloseTo(at('2026-11-30T11:04:14.700Z', 0.364732), 3);
    expect(holds[1]!.from).toBeGreaterThan(holds[0]!.to);
  });

  it('keeps a reservation whose outcome never came until its TTL, or the end of the run if that is sooner', async () => {
    const silent = fixture('outcome-unknown-silent');
    const untilTtl = await holdsFromTransferHistory(converter, 't-silent', silent, options);
    const untilEnd = await holdsFromTransferHistory(converter, 't-silent', silent, { ...options, endMs: at('2026-11-30T11:05:00Z') });

    expect(untilTtl.holds[0]!.to - untilTtl.holds[0]!.from).toBeGreaterThan(14 * 60_000);
    expect(untilTtl.holds[0]!.to - untilTtl.holds[0]!.from).toBeLessThanOrEqual(15 * 60_000);
    expect(untilEnd.holds[0]!.to).toBe(at('2026-11-30T11:05:00Z'));
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

    const read = await holdsFromTransferHistory(withoutKey, 't-encrypted', fixture('success-forwarded'), options);

    expect(read).toEqual({ holds: [], unknownReservations: 0, undecodedReservations: 1 });
  });

  it('finds no hold in a transfer routed to a line', async () => {
    expect((await holdsFromTransferHistory(converter, 't-line', fixture('success-unconfirmed'), options)).holds).toEqual([]);
  });

  it('flags two recorded transfers that held a one-call agent at the same time, and not the one that came before', async () => {
    // The silent transfer held a-ana from 11:04:09 until its TTL; the fallback one reserved her at 11:04:13; the
    // forwarded one had let her go at 11:03:39.
    const holds = [
      ...(await holdsFromTransferHistory(converter, 't-1', fixture('outcome-unknown-silent'), options)).holds,
      ...(await holdsFromTransferHistory(converter, 't-2', fixture('success-forwarded'), options)).holds,
      ...(await holdsFromTransferHistory(converter, 't-3', fixture('fallback-next-agent'), options)).holds,
    ];

    const report = checkOverbooking(holds, new Map([['a-ana', 1], ['a-ben', 1]]));

    expect(report.overbooked.map((peak) => [peak.agentId, peak.transferIds])).toEqual([['a-ana', ['t-1', 't-3']]]);
  });
});
