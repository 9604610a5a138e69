import { randomUUID } from 'node:crypto';
import { CrmConfigError, CrmError } from '../../src/integrations/crm';
import type { TransferNote } from '../../src/integrations/crm';
import { HttpCrm } from '../../src/integrations/crm/http-crm';
import type { HttpCrmServer } from '../support/http-crm-server';
import { startHttpCrmServer } from '../support/http-crm-server';
import { expectEveryStatusToRoundTrip, expectRefusedMovesIgnored } from '../support/note-lifecycle';
import { freePort } from '../../src/temporal/free-port';

let server: HttpCrmServer;
const TOKEN = 'crm-token-for-tests';

const acme = { id: 'acct-9', name: 'Maria Lopez (Acme Corp)', phone: '+12125550111', tier: 'Enterprise', language: 'en-US', office: 'us-east', lastAgentId: 'a-ana', escalations90d: 2 };

function adapter(overrides: Partial<ConstructorParameters<typeof HttpCrm>[0]> = {}): HttpCrm {
  return new HttpCrm({ baseUrl: server.baseUrl, token: TOKEN, authHeader: 'authorization', timeoutMs: 500, ...overrides });
}

function note(overrides: Partial<TransferNote> = {}): TransferNote {
  return {
    transferId: `transfer-${randomUUID()}`,
    customerId: 'acct-9',
    department: 'billing',
    agentId: 'a-ana',
    reason: 'question about my invoice',
    urgency: 'high',
    callerWords: 'My invoice is wrong.',
    status: 'pending-transfer',
    ...overrides,
  };
}

beforeEach(async () => {
  server = await startHttpCrmServer({ token: TOKEN, basePath: '/api/switchboard' });
  server.customers.push(acme);
});

afterEach(async () => {
  await server?.close();
});

describe('the HTTP CRM', () => {
  it('looks a caller up by id, else by number, with the bearer token, and maps the answer to the profile', async () => {
    const crm = adapter();

    expect(await crm.findCustomer({ customerId: 'acct-9' })).toEqual({
      id: 'acct-9',
      name: 'Maria Lopez (Acme Corp)',
      phone: '+12125550111',
      tier: 'enterprise',
      language: 'en',
      office: 'us-east',
      lastAgent: 'a-ana',
      escalations90d: 2,
    });
    expect(await crm.findCustomer({ customerId: 'acct-unknown', phone: '+12125550111' })).toMatchObject({ id: 'acct-9' });
    expect(await crm.findCustomer({ phone: '+19999999999' })).toBeNull();
    expect(server.received.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/switchboard/customers/acct-9',
      'GET /api/switchboard/customers/acct-unknown',
      'GET /api/switchboard/customers?phone=%2B12125550111',
      'GET /api/switchboard/customers?phone=%2B19999999999',
    ]);
    expect(server.received.every((request) => request.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('sends the token raw in a custom header when one is configured', async () => {
    await server.close();
    server = await startHttpCrmServer({ token: TOKEN, authHeader: 'x-api-key' });
    server.customers.push(acme);

    expect(await adapter({ authHeader: 'x-api-key' }).findCustomer({ customerId: 'acct-9' })).toMatchObject({ id: 'acct-9' });
    expect(server.received[0]!.headers['x-api-key']).toBe(TOKEN);
    expect(server.received[0]!.headers.authorization).toBeUndefined();
  });

  it('upserts one note per transfer with the transfer id as idempotency key, marks it, and reads it back', async () => {
    const crm = adapter();
    const posted = note();

    const first = await crm.upsertTransferNote(posted);
    const second = await crm.upsertTransferNote(posted);
    await crm.updateNoteStatus(first.noteId, 'not-transferred', 'transfer not completed');

    expect(second).toEqual(first);
    expect(server.notes.size).toBe(1);
    const put = server.received.find((request) => request.method === 'PUT')!;
    expect(put.headers['idempotency-key']).toBe(posted.transferId);
    expect(put.body).toMatchObject({ transferId: posted.transferId, agentId: 'a-ana', text: expect.stringContaining('Reason: question about my invoice') });
    expect(await crm.findTransferNote(posted.transferId)).toEqual({
      noteId: first.noteId,
      transferId: posted.transferId,
      status: 'not-transferred',
      statusReason: 'transfer not completed',
      text: expect.stringContaining('Transfer to agent a-ana in billing, urgency high.'),
    });
    expect(await crm.findTransferNote('transfer-never-posted')).toBeNull();
  });

  it('retries a 5xx and succeeds once the CRM recovers', async () => {
    server.failNext({ status: 503, count: 2 });

    expect(await adapter().findCustomer({ customerId: 'acct-9' })).toMatchObject({ id: 'acct-9' });
    expect(server.received).toHaveLength(3);
  });

  it('takes a 4xx as final: one request, and an error that tells the workflow not to retry', async () => {
    server.failNext({ status: 422 });

    const failure = await adapter().upsertTransferNote(note()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CrmError);
    expect(failure).toMatchObject({ retryable: false, message: 'CRM PUT /transfers/{id}/note answered 422' });
    expect(server.received).toHaveLength(1);
  });

  it('retries a request that times out and gives up within the call budget', async () => {
    server.failNext({ delayMs: 2_000, count: 5 });
    const started = Date.now();

    const failure = await adapter({ timeoutMs: 400 }).findCustomer({ phone: '+12125550111' }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ retryable: true, message: 'CRM GET /customers?phone timed out after 400 ms' });
    expect(server.received).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(2_800);
  });

  it('refuses an answer off the contract, naming the field but not the caller', async () => {
    server.customers[0] = { ...acme, tier: 'platinum' };

    const failure = await adapter().findCustomer({ customerId: 'acct-9' }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ retryable: false });
    expect((failure as Error).message).toMatch(/^the CRM's answer to GET \/customers\/\{id\} returned a customer Switchboard cannot use \(tier: /);
    expect((failure as Error).message).not.toMatch(/Maria|2125550111/);
  });

  it('at start: names CRM_HTTP_TOKEN when the CRM refuses the credentials, and CRM_URL when nothing answers', async () => {
    await expect(adapter({ token: 'wrong' }).validate()).rejects.toThrow(
      /^CRM_HTTP_TOKEN: the CRM at 127\.0\.0\.1:\d+ refused the credentials \(401\); set CRM_HTTP_TOKEN/,
    );
    const closed = await freePort();
    await expect(adapter({ baseUrl: `http://127.0.0.1:${closed}/crm` }).validate()).rejects.toThrow(CrmConfigError);
    await expect(adapter({ baseUrl: `http://127.0.0.1:${closed}/crm` }).validate()).rejects.toThrow(
      new RegExp(`^CRM_URL: cannot reach the CRM at 127\\.0\\.0\\.1:${closed} \\(CRM GET /health failed \\(ECONNREFUSED\\)\\); check the URL, or unset CRM_URL to use the demo CRM$`),
    );
    await expect(adapter().validate()).resolves.toBeUndefined();
  });

  it('reports a CRM that is down through check, after one attempt', async () => {
    server.failNext({ status: 503, count: 3 });

    await expect(adapter().check()).rejects.toThrow('CRM GET /health answered 503');
    expect(server.received).toHaveLength(1);
  });
});

describe('note statuses through the HTTP CRM', () => {
  it('keeps every status of the lifecycle and its reason', async () => {
    await expectEveryStatusToRoundTrip(adapter(), () => note());
  });

  it('ignores a move the lifecycle refuses, answering that nothing changed', async () => {
    await expectRefusedMovesIgnored(adapter(), () => note());
  });

  it('sends with each mark the statuses it may be applied from, so the CRM applies the lifecycle without knowing it', async () => {
    const crm = adapter();
    const { noteId } = await crm.upsertTransferNote(note());

    await crm.updateNoteStatus(noteId, 'not-transferred', 'transfer not completed');
    await crm.updateNoteStatus(noteId, 'callback-missed', null);

    expect(server.received.filter((request) => request.method === 'PATCH').map((request) => request.body)).toEqual([
      { status: 'not-transferred', statusReason: 'transfer not completed', ifStatusIn: ['pending-transfer', 'waiting-in-line'] },
      { status: 'callback-missed', statusReason: null, ifStatusIn: ['callback-promised'] },
    ]);
  });

  it('answers that nothing changed for a note the CRM does not have', async () => {
    expect(await adapter().updateNoteStatus('n-nobody', 'transferred', null)).toEqual({ changed: false });
  });

  it('reads a status it does not know as the nearest known one, showing the CRM’s word, and never fails on it', async () => {
    const crm = adapter();
    const spelled = note();
    const unknown = note();
    await crm.upsertTransferNote(spelled);
    await crm.upsertTransferNote(unknown);
    Object.assign(server.notes.get(spelled.transferId)!, { status: 'Transferred', statusReason: 'agent answered' });
    Object.assign(server.notes.get(unknown.transferId)!, { status: 'escalated-to-supervisor', statusReason: null });

    expect(await crm.findTransferNote(spelled.transferId)).toMatchObject({ status: 'transferred', statusReason: 'CRM status "Transferred": agent answered' });
    expect(await crm.findTransferNote(unknown.transferId)).toMatchObject({ status: 'outcome-unknown', statusReason: 'CRM status "escalated-to-supervisor"' });
  });

  it('works with a CRM built to the earlier contract, which answers a mark with 204 and no word on whether it applied it', async () => {
    await server.close();
    server = await startHttpCrmServer({ token: TOKEN, earlierContract: true });
    const crm = adapter();
    const posted = note();
    const { noteId } = await crm.upsertTransferNote(posted);

    expect(await crm.updateNoteStatus(noteId, 'not-transferred', 'transfer not completed')).toEqual({ changed: true });
    expect(await crm.findTransferNote(posted.transferId)).toMatchObject({ status: 'not-transferred', statusReason: 'transfer not completed' });
  });
});
