import type { CallVerdict, LineCall, LineCommand, LinesRules, ReadyMark } from '../../bench/harness/lines-accounting';
import { accountLines, judgeCall, lineFullOverflows, lineTrend, readyToTransfer, reusedWithoutMark } from '../../bench/harness/lines-accounting';

const AGENT_A = 'sip:sip:a-1@us-east.pbx.example.com';
const AGENT_B = 'sip:sip:a-2@us-east.pbx.example.com';
const SUPPORT_LINE = 'number:+18005550101';
const BILLING_LINE = 'number:+18005550102';

const rules: LinesRules = {
  agentsByDestination: new Map([
    [AGENT_A, 'a-1'],
    [AGENT_B, 'a-2'],
  ]),
  departmentLines: new Map([
    [SUPPORT_LINE, 'support'],
    [BILLING_LINE, 'billing'],
  ]),
  maxWaitSeconds: 20,
  toleranceMs: 2_000,
};

const joinedText = 'Every support agent is busy. The caller is number 3 in line; the estimated wait is about 12 seconds. Tell the caller, keep helping them meanwhile, and do not transfer: they will be put through when an agent is free.';
const joined = (at: number): LineCommand => ({ at, type: 'add-message', content: joinedText });
const transfer = (at: number, destination: string): LineCommand => ({ at, type: 'transfer', destination });
const call = (callId: string, commands: LineCommand[], extra: Partial<LineCall> = {}): LineCall => ({
  callId,
  department: 'support',
  office: 'us-east',
  sentAt: 0,
  accepted: true,
  commands,
  outcome: 'transferred',
  ...extra,
});

describe('accounting of callers waiting in line', () => {
  it('tells a caller served at once from one who waited, and times the wait from the joined message to the transfer', () => {
    expect(judgeCall(call('c-1', [transfer(100, AGENT_A)]), rules)).toMatchObject({ end: 'served-at-once', agentId: 'a-1', problems: [] });
    expect(judgeCall(call('c-2', [joined(100), { at: 5_000, type: 'add-message', content: 'Update: the caller is now next in line' }, transfer(9_100, AGENT_A)]), rules)).toMatchObject({
      end: 'served-from-line',
      joinedAt: 100,
      waitMs: 9_000,
      problems: [],
    });
  });

  it('tells an overflow after the longest wait from a caller turned away by a full line', () => {
    expect(judgeCall(call('c-1', [joined(0), { at: 20_100, type: 'add-message', content: 'Waited 20 s …' }, transfer(20_400, SUPPORT_LINE)]), rules)).toMatchObject({ end: 'overflow-max-wait', waitMs: 20_400, problems: [] });
    expect(judgeCall(call('c-2', [transfer(300, SUPPORT_LINE)]), rules)).toMatchObject({ end: 'overflow-line-full', problems: [] });
  });

  it('flags a caller sent to the department line well before the longest wait, and one served well past it', () => {
    expect(judgeCall(call('c-1', [joined(0), transfer(12_000, SUPPORT_LINE)]), rules).problems).toEqual(['sent to the department line after 12000 ms in line, before the 20 s limit']);
    expect(judgeCall(call('c-2', [joined(0), transfer(25_000, AGENT_A)]), rules).problems).toEqual(['served after 25000 ms in line, past the 20 s limit']);
    expect(judgeCall(call('c-3', [joined(0), transfer(21_500, AGENT_A)]), rules).problems).toEqual([]);
  });

  it('times the wait from when the floor put the caller in line, when their history says, not from the later add-message', () => {
    expect(judgeCall(call('c-1', [joined(1_500), transfer(9_000, AGENT_A)], { floorJoinedAt: 1_000 }), rules)).toMatchObject({ joinedAt: 1_000, toldAt: 1_500, waitMs: 8_000 });
  });

  it('flags a caller sent to another department’s line', () => {
    expect(judgeCall(call('c-1', [transfer(300, BILLING_LINE)]), rules).problems).toEqual(["sent to billing's line, asked for support"]);
  });

  it('counts a caller who hung up while waiting as abandoned only when the transfer recorded it so', () => {
    const hungUp = call('c-1', [joined(0)], { hangUpAt: 7_000, outcome: 'abandoned' });
    expect(judgeCall(hungUp, rules)).toMatchObject({ end: 'abandoned', waitMs: 7_000, problems: [] });
    expect(judgeCall({ ...hungUp, outcome: 'caller-hung-up' }, rules).problems).toEqual(['hung up while waiting, recorded caller-hung-up']);
  });

  it('accepts caller-hung-up from a caller who hung up once the floor had given them an agent, and counts them apart', () => {
    const accounting = accountLines([call('c-1', [joined(0)], { hangUpAt: 7_000, assignedAt: 6_900, outcome: 'caller-hung-up' })], rules);

    expect(accounting.ends.abandoned).toBe(1);
    expect(accounting.abandonNotRecorded).toEqual([]);
    expect(accounting.abandonedAfterAssignment).toBe(1);
  });

  it('finds the lost, the served twice, the transferred after hanging up and the abandoned nobody hung up', () => {
    const accounting = accountLines(
      [
        call('lost', [joined(0)], { outcome: 'running' }),
        call('twice', [joined(0), transfer(3_000, AGENT_A), transfer(3_500, AGENT_B)]),
        call('late', [joined(0), transfer(4_100, AGENT_A)], { hangUpAt: 4_000 }),
        call('phantom', [joined(0)], { outcome: 'abandoned', hangUpAt: undefined }),
        call('fine', [joined(0), transfer(5_000, AGENT_B)]),
        call('refused', [], { accepted: false, outcome: undefined }),
      ],
      rules,
    );

    expect(accounting.lost).toEqual(['lost', 'phantom']);
    expect(accounting.stillRunning).toEqual(['lost']);
    expect(accounting.servedTwice).toEqual(['twice']);
    expect(accounting.transferredAfterHangUp).toEqual([{ callId: 'late', afterMs: 100 }]);
    expect(accounting.abandonedWithoutHangUp).toEqual(['phantom']);
    expect(accounting.ends).toMatchObject({ 'served-from-line': 3, lost: 2, refused: 1 });
    expect(accounting.waitMs).toMatchObject({ count: 3, p50: 4_100, max: 5_000 });
  });
});

describe('ready mark to transfer, for marks that had someone waiting', () => {
  const desk = [
    { id: 'a-1', office: 'us-east', skills: ['support', 'billing'] },
    { id: 'a-2', office: 'us-east', skills: ['support'] },
    { id: 'a-3', office: 'emea', skills: ['support'] },
  ];
  const waited = (callId: string, joinedAt: number, transferAt: number | undefined, agentId?: string, extra: Partial<CallVerdict> = {}): CallVerdict => ({
    callId,
    end: agentId ? 'served-from-line' : 'lost',
    department: 'support',
    office: 'us-east',
    joinedAt,
    ...(transferAt !== undefined ? { transferAt } : {}),
    ...(agentId ? { agentId } : {}),
    agentTransfers: agentId ? 1 : 0,
    transfers: transferAt !== undefined ? 1 : 0,
    problems: [],
    ...extra,
  });
  const mark = (agentId: string, sentAt: number, answeredAt = sentAt + 20): ReadyMark => ({ agentId, sentAt, answeredAt });

  it('times a mark to the agent’s next transfer when it took a caller who was waiting', () => {
    const report = readyToTransfer([mark('a-1', 10_000)], [waited('w-1', 2_000, 10_180, 'a-1')], [], desk);

    expect(report.counts['served-line']).toBe(1);
    expect(report.delayMs).toMatchObject({ count: 1, p99: 180 });
  });

  it('does not time a mark when nobody the agent could take was waiting: another office, another department, or nobody', () => {
    const emea = waited('w-emea', 2_000, 30_000, 'a-3', { office: 'emea' });
    const sales = waited('w-sales', 2_000, 30_000, 'a-2', { department: 'sales' });
    const report = readyToTransfer([mark('a-1', 10_000), mark('a-2', 40_000)], [emea, sales], [], desk);

    expect(report.counts['nobody-waiting']).toBe(2);
    expect(report.delayMs.count).toBe(0);
  });

  it('calls a mark missed when a caller it could take waited on and the agent got a later caller, or nobody', () => {
    const stillWaiting = waited('w-1', 2_000, 25_000, 'a-2');
    const later = waited('n-1', 14_000, 15_000, 'a-1');
    const report = readyToTransfer([mark('a-1', 10_000), mark('a-2', 24_900)], [stillWaiting, later], [], desk);

    expect(report.missed).toEqual([expect.objectContaining({ agentId: 'a-1', verdict: 'missed', delayMs: 5_000, nextCallId: 'n-1', waiting: 1 })]);
    const nobody = readyToTransfer([mark('a-1', 10_000)], [waited('w-1', 2_000, undefined)], [], desk).missed;
    expect(nobody).toEqual([expect.objectContaining({ agentId: 'a-1', verdict: 'missed' })]);
    expect(nobody[0]!.delayMs).toBeUndefined();
  });

  it('times, not misses, a mark whose agent took a caller who joined while the floor handled it (a priority caller goes first)', () => {
    const standard = waited('w-1', 2_000, 12_000, 'a-2');
    const priority = waited('p-1', 10_050, 10_400, 'a-1');
    const report = readyToTransfer([mark('a-1', 10_000, 10_200)], [standard, priority], [], desk);

    expect(report.counts).toMatchObject({ 'served-line': 1, missed: 0 });
    expect(report.delayMs.p50).toBe(400);
    // Joined only once the mark was answered: the agent was free before them, so the standard caller was owed it.
    expect(readyToTransfer([mark('a-1', 10_000, 10_020), mark('a-2', 11_800)], [standard, priority], [], desk).counts.missed).toBe(1);
  });

  it('calls a mark raced, not missed, when the only waiting caller went to an agent freed before it', () => {
    const taken = waited('w-1', 2_000, 10_150, 'a-2');
    const report = readyToTransfer([mark('a-2', 9_990), mark('a-1', 10_000)], [taken], [], desk);

    expect(report.counts).toMatchObject({ 'served-line': 1, raced: 1, missed: 0 });
  });

  it('calls a mark raced when the agent freed before it took the caller but was slower to transfer than this agent to a new caller', () => {
    const taken = waited('w-1', 2_000, 10_700, 'a-2');
    const newcomer = waited('n-1', 10_100, 10_400, 'a-1', { end: 'served-at-once', joinedAt: undefined });
    const report = readyToTransfer([mark('a-2', 9_800), mark('a-1', 10_000)], [taken, newcomer], [], desk);

    expect(report.counts).toMatchObject({ 'served-line': 1, raced: 1, missed: 0 });
  });

  it('still calls it missed when the waiting caller went to an agent freed only after this mark was answered', () => {
    const taken = waited('w-1', 2_000, 12_150, 'a-2');
    const report = readyToTransfer([mark('a-1', 10_000, 10_020), mark('a-2', 12_000)], [taken], [], desk);

    expect(report.counts.missed).toBe(1);
  });

  it('ends a caller’s wait when the floor’s word of their agent reached them, not at their slower POST', () => {
    const assigned = waited('w-1', 2_000, 11_500, 'a-2', { assignedAt: 9_950 });
    const report = readyToTransfer([mark('a-2', 9_800), mark('a-1', 10_000)], [assigned], [], desk);

    expect(report.counts).toMatchObject({ 'served-line': 1, 'nobody-waiting': 1 });
  });

  it('finds an agent given a second caller with no ready mark since the first', () => {
    const served = (callId: string, agentId: string, transferAt: number) => waited(callId, 0, transferAt, agentId);
    const verdicts = [served('c-1', 'a-1', 1_000), served('c-2', 'a-1', 9_000), served('c-3', 'a-2', 2_000), served('c-4', 'a-2', 5_000)];

    expect(reusedWithoutMark(verdicts, [mark('a-1', 8_000), mark('a-2', 5_001)])).toEqual([{ agentId: 'a-2', callId: 'c-4', afterPreviousMs: 3_000 }]);
  });

  it('calls a mark raced when the only waiting caller hung up around it', () => {
    const hungUp = waited('w-1', 2_000, undefined, undefined, { end: 'abandoned' });
    const report = readyToTransfer([mark('a-1', 10_000)], [hungUp], [{ callId: 'w-1', hangUpAt: 10_300 }], desk);

    expect(report.counts.raced).toBe(1);
  });
});

describe('the lines over time and the callers turned away', () => {
  const sample = (at: number, support: number, billing = 0) => ({ at, waiting: { support, billing }, oldestWaitSeconds: support + billing > 0 ? 5 : null });

  it('finds the peak and how long after the load the lines were empty', () => {
    const trend = lineTrend([sample(0, 0), sample(1_000, 3, 1), sample(2_000, 6, 4), sample(3_000, 2, 1), sample(4_000, 0), sample(5_000, 0)], 0, 2_500, 1);

    expect(trend.peak).toEqual({ waiting: 10, atSeconds: 2 });
    expect(trend.peakPerDepartment).toEqual({ support: 6, billing: 4 });
    expect(trend.drainedAfterSeconds).toBe(1.5);
    expect(trend.grewAndDrained).toBe(true);
    expect(trend.series.map((point) => point.waiting)).toEqual([0, 4, 10, 3, 0, 0]);
  });

  it('says the lines never drained when they were still long at the last sample', () => {
    expect(lineTrend([sample(0, 1), sample(1_000, 5)], 0, 500).grewAndDrained).toBe(false);
  });

  it('flags a caller turned away while their line, as sampled around that moment, was well short of full', () => {
    const turnedAway = (callId: string, at: number): CallVerdict => ({ callId, end: 'overflow-line-full', department: 'support', office: 'us-east', transferAt: at, agentTransfers: 0, transfers: 1, problems: [] });
    const samples = [sample(1_000, 9), sample(2_000, 10), sample(8_000, 2)];

    expect(lineFullOverflows([turnedAway('full', 2_100), turnedAway('short', 8_200)], samples, 10)).toEqual({ count: 2, notNearFull: [{ callId: 'short', sampledMax: 2 }] });
  });
});
