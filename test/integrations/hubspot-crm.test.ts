import { randomUUID } from 'node:crypto';
import { CrmConfigError, CrmError } from '../../src/integrations/crm';
import type { TransferNote } from '../../src/integrations/crm';
import { HubSpotCrm, transferMarker } from '../../src/integrations/crm/hubspot-crm';
import type { HubSpotStandIn } from '../support/hubspot-stand-in';
import { startHubSpotStandIn } from '../support/hubspot-stand-in';
import { expectEveryStatusToRoundTrip, expectRefusedMovesIgnored } from '../support/note-lifecycle';

const TOKEN = 'pat-na1-test-token';
let hubspot: HubSpotStandIn;
let mariaId: string;

function adapter(overrides: Partial<ConstructorParameters<typeof HubSpotCrm>[0]> = {}): HubSpotCrm {
  return new HubSpotCrm({
    accessToken: TOKEN,
    baseUrl: hubspot.baseUrl,
    timeoutMs: 800,
    phoneProperties: ['phone', 'mobilephone'],
    properties: { tier: 'customer_tier', language: 'hs_language', lastAgent: 'last_agent_id' },
    ...overrides,
  });
}

function note(overrides: Partial<TransferNote> = {}): TransferNote {
  return {
    transferId: `transfer-${randomUUID()}-call_${randomUUID().slice(0, 8)}`,
    customerId: mariaId,
    department: 'billing',
    agentId: 'a-ana',
    reason: 'question about my invoice <urgent> & overdue',
    urgency: 'high',
    callerWords: 'My invoice is wrong.',
    status: 'pending-transfer',
    ...overrides,
  };
}

beforeEach(async () => {
  hubspot = await startHubSpotStandIn({ token: TOKEN });
  hubspot.contactPropertyNames.add('customer_tier').add('last_agent_id');
  mariaId = hubspot.addContact({ firstname: 'Maria', lastname: 'Lopez', phone: '+12125550111', customer_tier: 'enterprise', hs_language: 'en', last_agent_id: 'a-ana' });
  hubspot.addContact({ firstname: 'Jordan', lastname: 'Blake', mobilephone: '+13105550112', hs_language: 'en-us' });
});

afterEach(async () => {
  await hubspot?.close();
});

describe('the HubSpot CRM', () => {
  it('finds a contact by number, in any configured phone property, with tier, language and last agent from its properties', async () => {
    const crm = adapter();

    expect(await crm.findCustomer({ phone: '+12125550111' })).toEqual({
      id: mariaId,
      name: 'Maria Lopez',
      phone: '+12125550111',
      tier: 'enterprise',
      language: 'en',
      lastAgent: 'a-ana',
      escalations90d: 0,
    });
    // No tier set on the contact: a known caller of the default tier.
    expect(await crm.findCustomer({ phone: '+13105550112' })).toMatchObject({ name: 'Jordan Blake', tier: 'standard', language: 'en', lastAgent: undefined });
    expect(await crm.findCustomer({ phone: '+19999999999' })).toBeNull();
  });

  it('reads a contact by id when the tool call names one, and falls back to the number when it is not a contact', async () => {
    const crm = adapter();

    expect(await crm.findCustomer({ customerId: mariaId })).toMatchObject({ id: mariaId, tier: 'enterprise' });
    expect(await crm.findCustomer({ customerId: '999999', phone: '+12125550111' })).toMatchObject({ id: mariaId });
    // Not a HubSpot id at all: no request for it, straight to the number.
    hubspot.requests.length = 0;
    expect(await crm.findCustomer({ customerId: 'c-1001', phone: '+12125550111' })).toMatchObject({ id: mariaId });
    expect(hubspot.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /crm/v3/objects/contacts/search']);
  });

  it('writes the summary as one note associated with the contact, however often it is posted', async () => {
    const crm = adapter();
    const posted = note();

    const first = await crm.upsertTransferNote(posted);
    const second = await crm.upsertTransferNote(posted);
    const fromAnotherProcess = await adapter().upsertTransferNote(posted);

    expect(new Set([first.noteId, second.noteId, fromAnotherProcess.noteId]).size).toBe(1);
    expect(hubspot.notes.size).toBe(1);
    const stored = hubspot.notes.get(first.noteId)!;
    expect(stored.associations).toEqual([mariaId]);
    expect(stored.properties.hs_note_body).toContain('Reason: question about my invoice &lt;urgent&gt; &amp; overdue');
    expect(stored.properties.hs_note_body).toContain(transferMarker(posted.transferId));
  });

  it('searches again after a create whose answer was lost, and finds the note instead of writing a second one', async () => {
    const posted = note();
    hubspot.loseNextCreateAnswer();

    const { noteId } = await adapter().upsertTransferNote(posted);

    expect([...hubspot.notes.keys()]).toEqual([noteId]);
    expect(hubspot.requests.filter((request) => request.path.startsWith('/crm/v3/objects/notes')).map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /crm/v3/objects/notes/search',
      'POST /crm/v3/objects/notes',
      'POST /crm/v3/objects/notes/search',
    ]);
  });

  it('remembers the notes it wrote, so a retry inside HubSpot’s search delay does not write twice', async () => {
    hubspot.searchLagMs = 60_000;
    const crm = adapter();
    const posted = note();

    const first = await crm.upsertTransferNote(posted);
    const again = await crm.upsertTransferNote(posted);

    expect(again.noteId).toBe(first.noteId);
    expect(hubspot.notes.size).toBe(1);
  });

  it('marks the note not transferred, reads it back as the agent sees it, and writes it afresh for a later run', async () => {
    const crm = adapter();
    const posted = note();
    const { noteId } = await crm.upsertTransferNote(posted);

    await crm.updateNoteStatus(noteId, 'not-transferred', 'transfer not completed');
    expect(await crm.findTransferNote(posted.transferId)).toEqual({
      noteId,
      transferId: posted.transferId,
      status: 'not-transferred',
      statusReason: 'transfer not completed',
      text: [
        'Transfer to agent a-ana in billing, urgency high.',
        'Reason: question about my invoice <urgent> & overdue',
        'Caller said: "My invoice is wrong."',
        `Transfer id: ${posted.transferId}`,
      ].join('\n'),
    });

    expect(await crm.upsertTransferNote({ ...posted, agentId: 'a-ben' })).toEqual({ noteId });
    expect(await crm.findTransferNote(posted.transferId)).toMatchObject({ status: 'pending-transfer', text: expect.stringContaining('agent a-ben') });
    expect(hubspot.notes.size).toBe(1);
  });

  it('writes a note for an anonymous caller without an association', async () => {
    const { noteId } = await adapter().upsertTransferNote(note({ customerId: null }));

    expect(hubspot.notes.get(noteId)!.associations).toEqual([]);
  });

  it('waits out a 429 for its Retry-After when that fits the call budget, then succeeds', async () => {
    hubspot.rateLimitNext({ retryAfterSeconds: 1, path: /contacts\/search/ });
    const started = Date.now();

    expect(await adapter().findCustomer({ phone: '+12125550111' })).toMatchObject({ id: mariaId });

    const searches = hubspot.requests.filter((request) => request.path.endsWith('/contacts/search'));
    expect(searches).toHaveLength(2);
    expect(searches[1]!.at - searches[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(2_800);
  });

  it('gives up at once on a 429 whose Retry-After is longer than the budget left, as retryable for the workflow', async () => {
    hubspot.rateLimitNext({ retryAfterSeconds: 10 });
    const started = Date.now();

    const failure = await adapter().findCustomer({ phone: '+12125550111' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(CrmError);
    expect(failure).toMatchObject({ retryable: true, message: 'HubSpot contact search answered 429' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(hubspot.requests).toHaveLength(1);
  });

  it('retries a 5xx, and takes other 4xx answers as final without echoing HubSpot’s body', async () => {
    hubspot.failNext({ status: 502 });
    expect(await adapter().findCustomer({ phone: '+12125550111' })).toMatchObject({ id: mariaId });

    // An association to a contact HubSpot does not have: 400 VALIDATION_ERROR.
    const failure = await adapter().upsertTransferNote(note({ customerId: '424242' })).catch((error: unknown) => error);
    expect(failure).toMatchObject({ retryable: false, message: 'HubSpot note create answered 400' });
  });

  it('at start: names HUBSPOT_ACCESS_TOKEN for a refused token and the variable of a contact property HubSpot lacks', async () => {
    await expect(adapter({ accessToken: 'pat-wrong' }).validate()).rejects.toThrow(/^HUBSPOT_ACCESS_TOKEN: HubSpot refused the token \(401\)/);
    await expect(adapter({ properties: { tier: 'tier_typo', language: 'hs_language', lastAgent: 'last_agent_id' } }).validate()).rejects.toThrow(
      new CrmConfigError('HUBSPOT_TIER_PROPERTY: HubSpot has no contact property "tier_typo"; create it in HubSpot, or set HUBSPOT_TIER_PROPERTY to the internal name of an existing one'),
    );
    await expect(adapter({ baseUrl: 'http://127.0.0.1:1' }).validate()).rejects.toThrow(/^HUBSPOT_BASE_URL: cannot reach HubSpot at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    await expect(adapter().validate()).resolves.toBeUndefined();
  });
});

describe('note statuses in HubSpot’s note body', () => {
  it('keeps every status of the lifecycle and its reason in the status line', async () => {
    await expectEveryStatusToRoundTrip(adapter(), () => note());
  });

  it('ignores a move the lifecycle refuses, answering that nothing changed', async () => {
    await expectRefusedMovesIgnored(adapter(), () => note());
  });

  it('shows the status to the agent as the note’s first line', async () => {
    const crm = adapter();
    const { noteId } = await crm.upsertTransferNote(note());

    await crm.updateNoteStatus(noteId, 'outcome-unknown', 'the call-control answer was lost');

    expect(hubspot.notes.get(noteId)!.properties.hs_note_body).toMatch(/^Status: OUTCOME UNKNOWN \(the call-control answer was lost\)<br>Transfer to agent a-ana/);
  });

  it('reads notes an earlier version wrote, marks them on, and writes a not-transferred one afresh', async () => {
    const crm = adapter();
    const pending = note();
    const compensated = note();
    // Bodies exactly as the previous version wrote them (two statuses then), one rewrapped in paragraphs by HubSpot.
    const earlier = (transferId: string, statusLine: string) =>
      [statusLine, 'Transfer to agent a-ana in billing, urgency high.', `Transfer id: ${transferId}`, `Switchboard reference: ${transferMarker(transferId)}`].join('<br>');
    const at = new Date().toISOString();
    hubspot.notes.set('7001', { properties: { hs_note_body: earlier(pending.transferId, 'Status: pending transfer') }, associations: [], createdAt: at, updatedAt: at });
    hubspot.notes.set('7002', {
      properties: { hs_note_body: `<p>${earlier(compensated.transferId, 'Status: NOT TRANSFERRED (transfer not completed)')}</p>` },
      associations: [],
      createdAt: at,
      updatedAt: at,
    });

    expect(await crm.findTransferNote(pending.transferId)).toEqual({
      noteId: '7001',
      transferId: pending.transferId,
      status: 'pending-transfer',
      statusReason: null,
      text: `Transfer to agent a-ana in billing, urgency high.\nTransfer id: ${pending.transferId}`,
    });
    expect(await crm.findTransferNote(compensated.transferId)).toMatchObject({ noteId: '7002', status: 'not-transferred', statusReason: 'transfer not completed' });

    expect(await crm.updateNoteStatus('7001', 'transferred', 'agent a-ana answered')).toEqual({ changed: true });
    expect(await crm.findTransferNote(pending.transferId)).toMatchObject({ status: 'transferred', statusReason: 'agent a-ana answered', text: expect.stringContaining('urgency high') });
    expect(await crm.upsertTransferNote({ ...compensated, agentId: 'a-ben' })).toEqual({ noteId: '7002' });
    expect(await crm.findTransferNote(compensated.transferId)).toMatchObject({ status: 'pending-transfer', text: expect.stringContaining('agent a-ben') });
  });

  it('answers that nothing changed for a note HubSpot does not have', async () => {
    expect(await adapter().updateNoteStatus('999999', 'transferred', null)).toEqual({ changed: false });
  });
});
