import { accountTransfers } from '../../bench/harness/accounting';

describe('lost and doubled transfer accounting', () => {
  it('counts an accepted call with exactly one transfer as executed once', () => {
    const result = accountTransfers([{ callId: 'a', accepted: true }], [{ callId: 'a', type: 'transfer' }]);

    expect(result).toMatchObject({ calls: 1, acceptedCalls: 1, executedOnce: 1, lost: 0, doubled: 0 });
  });

  it('counts an accepted call that never reached the control URL as lost', () => {
    const result = accountTransfers([{ callId: 'a', accepted: true }], []);

    expect(result).toMatchObject({ lost: 1, lostCallIds: ['a'], executedOnce: 0 });
  });

  it('counts a second transfer of the same call as doubled, however many deliveries there were', () => {
    const deliveries = [1, 2, 3].map(() => ({ callId: 'a', accepted: true }));

    const result = accountTransfers(deliveries, [
      { callId: 'a', type: 'transfer' },
      { callId: 'a', type: 'transfer' },
    ]);

    expect(result).toMatchObject({ calls: 1, doubled: 1, doubledCallIds: ['a'], executedOnce: 0, lost: 0 });
  });

  it('treats a call as accepted when any one of its deliveries got a 2xx', () => {
    const result = accountTransfers(
      [
        { callId: 'a', accepted: false },
        { callId: 'a', accepted: true },
      ],
      [{ callId: 'a', type: 'transfer' }],
    );

    expect(result).toMatchObject({ acceptedCalls: 1, refusedCalls: 0, executedOnce: 1 });
  });

  it('does not count a refused call as lost: Vapi was told it failed', () => {
    const result = accountTransfers([{ callId: 'a', accepted: false }], []);

    expect(result).toMatchObject({ refusedCalls: 1, lost: 0 });
  });

  it('notes a refused call that was transferred anyway without calling it doubled', () => {
    const result = accountTransfers([{ callId: 'a', accepted: false }], [{ callId: 'a', type: 'transfer' }]);

    expect(result).toMatchObject({ executedDespiteRefusal: 1, doubled: 0, executedOnce: 1 });
  });

  it('counts an untransferred call whose caller heard an apology as failed and told, not lost', () => {
    const result = accountTransfers([{ callId: 'a', accepted: true }], [{ callId: 'a', type: 'say' }]);

    expect(result).toMatchObject({ lost: 0, failedAndTold: 1, callersTold: 1 });
  });

  it('reports commands for calls that were never sent instead of crediting them to anyone', () => {
    const result = accountTransfers([{ callId: 'a', accepted: true }], [{ callId: 'zzz', type: 'transfer' }]);

    expect(result).toMatchObject({ strayCommands: 1, lost: 1 });
  });

  it('counts an untransferred call whose caller was told to hold and whose workflow recorded unknown as unknown but told', () => {
    const result = accountTransfers([{ callId: 'a', accepted: true }], [{ callId: 'a', type: 'say', said: 'hold on' }], {
      holdMessage: 'hold on',
      outcomes: new Map([['a', 'unknown']]),
    });

    expect(result).toMatchObject({ unknownButTold: 1, unknownButToldCallIds: ['a'], failedAndTold: 0, lost: 0, outcomes: { unknown: 1 } });
  });

  it('does not call a held caller unknown when the workflow recorded something else', () => {
    const result = accountTransfers([{ callId: 'a', accepted: true }], [{ callId: 'a', type: 'say', said: 'hold on' }], {
      holdMessage: 'hold on',
      outcomes: new Map([['a', 'not-connected']]),
    });

    expect(result).toMatchObject({ unknownButTold: 0, failedAndTold: 1 });
  });

  it('does not call an apology a hold, even when the workflow recorded unknown', () => {
    const result = accountTransfers([{ callId: 'a', accepted: true }], [{ callId: 'a', type: 'say', said: 'sorry' }], {
      holdMessage: 'hold on',
      outcomes: new Map([['a', 'unknown']]),
    });

    expect(result).toMatchObject({ unknownButTold: 0, failedAndTold: 1 });
  });

  it('counts a held caller who was then transferred once as held then transferred, and a held caller transferred twice as doubled', () => {
    const result = accountTransfers(
      [
        { callId: 'a', accepted: true },
        { callId: 'b', accepted: true },
      ],
      [
        { callId: 'a', type: 'say', said: 'hold on' },
        { callId: 'a', type: 'transfer' },
        { callId: 'b', type: 'say', said: 'hold on' },
        { callId: 'b', type: 'transfer' },
        { callId: 'b', type: 'transfer' },
      ],
      { holdMessage: 'hold on' },
    );

    expect(result).toMatchObject({ executedOnce: 1, heldThenTransferred: 1, doubled: 1, doubledCallIds: ['b'] });
  });
});
