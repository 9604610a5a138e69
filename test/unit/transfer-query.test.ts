import { TransferConsoleError, transferQuery } from '../../src/operations/transfer-console';

const now = new Date('2026-11-25T12:00:00.000Z');

describe('the visibility query behind transfers list', () => {
  it('always limits to transfer workflows and ANDs the filters', () => {
    expect(transferQuery({}, now)).toBe("WorkflowType = 'transferCall'");
    expect(transferQuery({ outcome: 'failed', department: 'billing', since: '24h' }, now)).toBe(
      "WorkflowType = 'transferCall' AND TransferOutcome = 'failed' AND TransferDepartment = 'billing' AND StartTime >= '2026-11-24T12:00:00.000Z'",
    );
  });

  it('accepts ISO instants and running/closed status', () => {
    expect(transferQuery({ since: '2026-11-25T00:00:00Z', status: 'running' }, now)).toBe(
      "WorkflowType = 'transferCall' AND StartTime >= '2026-11-25T00:00:00.000Z' AND ExecutionStatus = 'Running'",
    );
  });

  it.each([
    { outcome: "failed' OR WorkflowType != '" },
    { department: 'billing AND 1=1' },
    { callId: "x'" },
    { since: 'last tuesday' },
  ])('refuses %j instead of splicing it into the query', (filters) => {
    expect(() => transferQuery(filters, now)).toThrow(TransferConsoleError);
  });
});
