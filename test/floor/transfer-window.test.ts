import { CLOSE_TIME_OVERLAP_MS, TransferWindow, WINDOW_MS } from '../../src/api/floor/transfer-window';
import { FloorSessions } from '../../src/api/floor/session';
import { listedTransfer } from '../support/floor-page';

const NOW = Date.parse('2026-11-25T15:30:20.000Z');
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();

describe('the last hour of transfers', () => {
  it('lists failed and unknown transfers first, then the most recent, and a retried transfer once, as its latest run', () => {
    const window = new TransferWindow();
    const old = listedTransfer({ outcome: 'transferred', closedAt: at(50 * 60_000), startedAt: at(50 * 60_000 + 1_000) });
    const recent = listedTransfer({ outcome: 'transferred', closedAt: at(10_000), startedAt: at(11_000) });
    const unknown = listedTransfer({ outcome: 'unknown', closedAt: at(40 * 60_000), startedAt: at(40 * 60_000 + 1_000) });
    const failed = listedTransfer({ outcome: 'failed', closedAt: at(30 * 60_000), startedAt: at(30 * 60_000 + 1_000) });
    const retriedFirstRun = listedTransfer({ outcome: 'failed', closedAt: at(20 * 60_000), startedAt: at(20 * 60_000 + 1_000) });
    const retryRunning = { ...listedTransfer({ closedAt: null, status: 'RUNNING', outcome: null, stage: 'transferring' }), workflowId: retriedFirstRun.workflowId, startedAt: at(5_000) };
    window.update([retryRunning], [old, recent, unknown, failed, retriedFirstRun], NOW);

    const view = window.view(NOW);
    expect(view.recent.map((row) => row.runId)).toEqual([failed.runId, unknown.runId, recent.runId, old.runId]);
    expect(view.inFlight.map((row) => row.runId)).toEqual([retryRunning.runId]);
    expect(view.inFlight[0]).toMatchObject({ stage: 'transferring', department: 'billing', agent: 'a-chloe', closedAt: null });
    // Every run that ended is counted: the retried transfer's first run did fail.
    expect(view.outcomes).toMatchObject({ failed: 2, unknown: 1, transferred: 2 });
    expect(view.recentTotal).toBe(4);
    expect(view.runsTotal).toBe(5);
  });

  it("counts each minute's transfers per outcome, with the median and 95th percentile of their time to transfer", () => {
    const window = new TransferWindow();
    const thisMinute = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000].map((latencyMs) => listedTransfer({ latencyMs, closedAt: at(1_000) }));
    const aMinuteAgo = [listedTransfer({ outcome: 'not-connected', latencyMs: 250, closedAt: at(61_000) }), listedTransfer({ outcome: 'failed', latencyMs: null, closedAt: at(62_000) })];
    window.update([], [...thisMinute, ...aMinuteAgo], NOW);
    const { chart } = window.view(NOW);
    expect(chart.minutes).toHaveLength(60);
    expect(chart.minutes.at(-1)).toBe(Math.floor(NOW / 60_000) * 60);
    expect(chart.perMinute.transferred!.at(-1)).toBe(10);
    expect(chart.perMinute['not-connected']!.at(-2)).toBe(1);
    expect(chart.perMinute.failed!.at(-2)).toBe(1);
    expect(chart.latencyP50.at(-1)).toBe(500);
    expect(chart.latencyP95.at(-1)).toBe(1_000);
    expect(chart.latencyP50.at(-2)).toBe(250);
    expect(chart.latencyP50.at(-3)).toBeNull();
  });

  it('starts the first look an hour back and each later one just before the previous look, and forgets what is older than an hour', () => {
    const window = new TransferWindow();
    expect(window.closedAfter(NOW).getTime()).toBe(NOW - WINDOW_MS);
    const kept = listedTransfer({ closedAt: at(10 * 60_000) });
    window.update([], [kept], NOW);
    expect(window.closedAfter(NOW + 1_000).getTime()).toBe(NOW - CLOSE_TIME_OVERLAP_MS);
    // Seen again in the overlap: counted once.
    window.update([], [kept], NOW + 1_000);
    expect(window.view(NOW + 1_000).recentTotal).toBe(1);
    // An hour later it is gone; a long pause never reaches back further than the hour.
    const later = NOW + WINDOW_MS;
    window.update([], [], later);
    expect(window.view(later).recentTotal).toBe(0);
    expect(window.closedAfter(later + 3 * WINDOW_MS).getTime()).toBe(later + 2 * WINDOW_MS);
  });
});

describe('floor sessions', () => {
  it('accepts the sessions it issued until they expire or are signed out, and nothing forged, altered or made with another token', () => {
    let now = NOW;
    const sessions = new FloorSessions('the-admin-token', () => now, 60_000);
    const { value, expiresAt } = sessions.issue();
    expect(expiresAt).toBe(NOW + 60_000);
    expect(value).not.toContain('the-admin-token');
    expect(sessions.valid(value)).toBe(true);
    // Another process with the same token accepts it (no session table); another token does not.
    expect(new FloorSessions('the-admin-token', () => now).valid(value)).toBe(true);
    expect(new FloorSessions('another-token', () => now).valid(value)).toBe(false);
    const [expiry, id, signature] = value.split('.') as [string, string, string];
    expect(sessions.valid(`${Number(expiry) + 3_600_000}.${id}.${signature}`)).toBe(false);
    expect(sessions.valid(`${expiry}.${id}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    for (const garbage of [undefined, '', 'x', `${expiry}.${id}`, `${value}.extra`, '<script>']) expect(sessions.valid(garbage)).toBe(false);

    now = NOW + 60_001;
    expect(sessions.valid(value)).toBe(false);

    now = NOW;
    const other = sessions.issue().value;
    sessions.revoke(other);
    expect(sessions.valid(other)).toBe(false);
    expect(sessions.valid(value)).toBe(true);
  });
});
