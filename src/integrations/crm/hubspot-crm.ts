import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/notes';
import { CRM_CALL_BUDGET_MS, retryAfterMs, withBoundedRetries } from './bounded-retry';
import type { CrmAdapter, CrmCustomer, NoteStatusChange, StoredTransferNote, TransferNote, TransferNoteStatus } from './crm';
import { CrmConfigError, CrmError, canMoveNote, isNoteStatusLine, noteStatusLine, parseCrmCustomer, parseNoteStatusLine, renderTransferNote } from './crm';

export interface HubSpotCrmSettings {
  /** HUBSPOT_ACCESS_TOKEN: a private app's token (never logged). */
  accessToken: string;
  /** HUBSPOT_BASE_URL: `https://api.hubapi.com`, or a stand-in in tests. */
  baseUrl: string;
  /** Per request. */
  timeoutMs: number;
  /** HUBSPOT_PHONE_PROPERTIES: contact properties searched (EQ) for the caller's E.164 number, in order. */
  phoneProperties: string[];
  /** Contact properties that hold what routing reads. */
  properties: { tier: string; language: string; lastAgent: string; office?: string | undefined; escalations?: string | undefined };
}

/** HubSpot's own association type "note to contact". */
const NOTE_TO_CONTACT = 202;
const NOTE_BODY = 'hs_note_body';
/** Transfer ids a retry may look up without searching; bounded, so a long-running worker does not grow. */
const REMEMBERED_NOTES = 10_000;

interface ApiFailure {
  code: number;
  headers?: Record<string, string>;
}

function isApiFailure(error: unknown): error is ApiFailure {
  return typeof (error as { code?: unknown }).code === 'number' && 'body' in (error as object);
}

/**
 * A single search token that stands for the transfer in the note's body: letters and digits only, so HubSpot's
 * tokenizer keeps it whole whatever characters the transfer id has.
 */
export function transferMarker(transferId: string): string {
  return `swbref${createHash('sha256').update(transferId).digest('hex').slice(0, 32)}`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
const unescapeHtml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' })[entity]!);

/** The note body: the status line, the summary, the reference that finds it again; HTML as HubSpot stores it. */
function noteBody(statusLine: string, summary: string, marker: string): string {
  return [statusLine, ...summary.split('\n'), `Switchboard reference: ${marker}`].map(escapeHtml).join('<br>');
}

/** A stored body back into its parts; HubSpot may have rewrapped the HTML, so only line breaks are trusted. */
function readNoteBody(html: string): { status: TransferNoteStatus; statusReason: string | null; summary: string } {
  const lines = unescapeHtml(html.replace(/<br\s*\/?>|<\/p>|<\/div>/gi, '\n').replace(/<[^>]*>/g, ''))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const statusLine = lines.find(isNoteStatusLine);
  return {
    ...parseNoteStatusLine(statusLine),
    summary: lines.filter((line) => line !== statusLine && !line.startsWith('Switchboard reference: ')).join('\n'),
  };
}

/**
 * HubSpot through its official client: callers found by a contact search on their number, tier, language and
 * last agent read from configurable contact properties, the summary written as a note associated with the
 * contact. One note per transfer: the note's body carries a reference token for the transfer, which a retry
 * searches for before creating anything. The client's own retries are off (they wait 10 s on a rate limit);
 * this adapter retries within the call budget and honours `Retry-After`.
 */
export class HubSpotCrm implements CrmAdapter {
  readonly kind = 'hubspot' as const;
  private readonly client: Client;
  /**
   * Notes this process created or found, by transfer id. HubSpot's search index trails writes by seconds, so
   * a retry right after a create whose answer was lost could miss it in a search; the same process does not.
   */
  private readonly known = new Map<string, string>();

  constructor(private readonly settings: HubSpotCrmSettings) {
    const agentOptions = { keepAlive: true, maxSockets: 16 };
    this.client = new Client({
      accessToken: settings.accessToken,
      basePath: settings.baseUrl.replace(/\/+$/, ''),
      numberOfApiCallRetries: 0,
      httpAgent: settings.baseUrl.startsWith('https:') ? new https.Agent(agentOptions) : new http.Agent(agentOptions),
    });
  }

  private get contactProperties(): string[] {
    const { tier, language, lastAgent, office, escalations } = this.settings.properties;
    return [...new Set(['firstname', 'lastname', ...this.settings.phoneProperties, tier, language, lastAgent, ...(office ? [office] : []), ...(escalations ? [escalations] : [])])];
  }

  async findCustomer(query: { customerId?: string; phone?: string }): Promise<CrmCustomer | null> {
    // HubSpot ids are numbers; anything else cannot be a contact id here (a 400, not a miss).
    if (query.customerId && /^\d+$/.test(query.customerId)) {
      const byId = await this.call('contact read', () => this.client.crm.contacts.basicApi.getById(query.customerId!, this.contactProperties), { notFound: null });
      if (byId) return this.toCustomer(byId);
    }
    if (!query.phone) return null;
    const phone = query.phone;
    const found = await this.call('contact search', () =>
      this.client.crm.contacts.searchApi.doSearch({
        filterGroups: this.settings.phoneProperties.map((propertyName) => ({ filters: [{ propertyName, operator: FilterOperatorEnum.Eq, value: phone }] })),
        properties: this.contactProperties,
        limit: 1,
        after: undefined as unknown as string,
        sorts: [],
      }),
    );
    const contact = found.results[0];
    return contact ? this.toCustomer(contact) : null;
  }

  /**
   * Find, else create, retried as a whole: a create whose answer was lost may have worked, so the next attempt
   * searches for it again before creating anything. Creating twice is what the retry must never do.
   */
  upsertTransferNote(note: TransferNote): Promise<{ noteId: string }> {
    return withBoundedRetries(() => this.findOrCreateNote(note), { operation: 'HubSpot note upsert', timeoutMs: CRM_CALL_BUDGET_MS });
  }

  private async findOrCreateNote(note: TransferNote): Promise<{ noteId: string }> {
    const once = { maxAttempts: 1 };
    const body = noteBody(noteStatusLine('pending-transfer'), renderTransferNote(note), transferMarker(note.transferId));
    const existing = await this.findNote(note.transferId, once);
    if (existing) {
      if (canMoveNote(readNoteBody(existing.body).status, 'pending-transfer')) {
        await this.call('note update', () => this.client.crm.objects.notes.basicApi.update(existing.id, { properties: { [NOTE_BODY]: body } }), once);
      }
      return { noteId: existing.id };
    }
    const associations =
      note.customerId && /^\d+$/.test(note.customerId)
        ? [{ to: { id: note.customerId }, types: [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: NOTE_TO_CONTACT }] }]
        : [];
    const created = await this.call(
      'note create',
      () => this.client.crm.objects.notes.basicApi.create({ properties: { hs_timestamp: new Date().toISOString(), [NOTE_BODY]: body }, associations }),
      once,
    );
    this.remember(note.transferId, created.id);
    return { noteId: created.id };
  }

  /**
   * Read, judge by {@link canMoveNote}, write. HubSpot has no conditional update of a note, so two marks of the
   * same note within a round trip of each other could both pass; the workflow marks a note from one place.
   */
  async updateNoteStatus(noteId: string, status: TransferNoteStatus, statusReason: string | null): Promise<NoteStatusChange> {
    const note = await this.call('note read', () => this.client.crm.objects.notes.basicApi.getById(noteId, [NOTE_BODY]), { notFound: null });
    if (!note) return { changed: false };
    const html = note.properties[NOTE_BODY] ?? '';
    const stored = readNoteBody(html);
    if (!canMoveNote(stored.status, status)) return { changed: false };
    const marker = /swbref[0-9a-f]{32}/.exec(html)?.[0] ?? '';
    const body = noteBody(noteStatusLine(status, statusReason), stored.summary, marker);
    await this.call('note update', () => this.client.crm.objects.notes.basicApi.update(noteId, { properties: { [NOTE_BODY]: body } }));
    return { changed: true };
  }

  async findTransferNote(transferId: string): Promise<StoredTransferNote | null> {
    const note = await this.findNote(transferId);
    if (!note) return null;
    const { status, statusReason, summary } = readNoteBody(note.body);
    return { noteId: note.id, transferId, status, statusReason, text: summary };
  }

  async check(): Promise<void> {
    // One contact, its id only: proves the token and the network without fetching anyone's details.
    await this.call('contacts page', () => this.client.crm.contacts.basicApi.getPage(1, undefined, ['hs_object_id']), { maxAttempts: 1 });
  }

  async validate(): Promise<void> {
    const host = new URL(this.settings.baseUrl).host;
    try {
      await this.client.crm.contacts.basicApi.getPage(1, undefined, ['hs_object_id']);
    } catch (error) {
      if (isApiFailure(error) && error.code === 401) {
        throw new CrmConfigError('HUBSPOT_ACCESS_TOKEN: HubSpot refused the token (401); copy the access token of your private app into HUBSPOT_ACCESS_TOKEN');
      }
      if (isApiFailure(error) && error.code === 403) {
        throw new CrmConfigError('HUBSPOT_ACCESS_TOKEN: the token lacks scopes (403); give the private app crm.objects.contacts.read and crm.objects.contacts.write');
      }
      const cause = isApiFailure(error) ? `HTTP ${error.code}` : ((error as { code?: string }).code ?? 'no answer');
      throw new CrmConfigError(`HUBSPOT_BASE_URL: cannot reach HubSpot at ${host} (${cause}); check HUBSPOT_BASE_URL and the network`);
    }
    const configured: [string, string][] = [
      ['HUBSPOT_TIER_PROPERTY', this.settings.properties.tier],
      ['HUBSPOT_LANGUAGE_PROPERTY', this.settings.properties.language],
      ['HUBSPOT_LAST_AGENT_PROPERTY', this.settings.properties.lastAgent],
      ...(this.settings.properties.office ? [['HUBSPOT_OFFICE_PROPERTY', this.settings.properties.office] as [string, string]] : []),
      ...(this.settings.properties.escalations ? [['HUBSPOT_ESCALATIONS_PROPERTY', this.settings.properties.escalations] as [string, string]] : []),
      ...this.settings.phoneProperties.map((name) => ['HUBSPOT_PHONE_PROPERTIES', name] as [string, string]),
    ];
    for (const [variable, name] of configured) {
      try {
        await this.client.crm.properties.coreApi.getByName('contacts', name);
      } catch (error) {
        if (isApiFailure(error) && error.code === 404) {
          throw new CrmConfigError(`${variable}: HubSpot has no contact property "${name}"; create it in HubSpot, or set ${variable} to the internal name of an existing one`);
        }
        const cause = isApiFailure(error) ? `HTTP ${error.code}` : ((error as { code?: string }).code ?? 'no answer');
        throw new CrmConfigError(`${variable}: could not read the contact property "${name}" from HubSpot (${cause}); give the token the crm.schemas.contacts.read scope`);
      }
    }
  }

  async close(): Promise<void> {}

  private async findNote(transferId: string, options: { maxAttempts?: number } = {}): Promise<{ id: string; body: string } | null> {
    const remembered = this.known.get(transferId);
    if (remembered) {
      const note = await this.call('note read', () => this.client.crm.objects.notes.basicApi.getById(remembered, [NOTE_BODY]), { notFound: null, ...options });
      if (note) return { id: note.id, body: note.properties[NOTE_BODY] ?? '' };
      this.known.delete(transferId);
    }
    const found = await this.call('note search', () =>
      this.client.crm.objects.notes.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: NOTE_BODY, operator: FilterOperatorEnum.ContainsToken, value: transferMarker(transferId) }] }],
        properties: [NOTE_BODY],
        limit: 1,
        after: undefined as unknown as string,
        sorts: [],
      }),
      options,
    );
    const note = found.results[0];
    if (!note) return null;
    this.remember(transferId, note.id);
    return { id: note.id, body: note.properties[NOTE_BODY] ?? '' };
  }

  private remember(transferId: string, noteId: string): void {
    if (this.known.size >= REMEMBERED_NOTES) this.known.delete(this.known.keys().next().value!);
    this.known.set(transferId, noteId);
  }

  private toCustomer(contact: { id: string; properties: Record<string, string | null> }): CrmCustomer {
    const property = (name: string | undefined) => (name ? (contact.properties[name] ?? undefined) : undefined);
    const name = [property('firstname'), property('lastname')].filter(Boolean).join(' ').trim();
    return parseCrmCustomer(
      {
        id: contact.id,
        name: name || `HubSpot contact ${contact.id}`,
        phone: this.settings.phoneProperties.map(property).find(Boolean),
        // A contact without a tier is a customer of the default tier, not an error.
        tier: property(this.settings.properties.tier) || 'standard',
        language: property(this.settings.properties.language),
        office: property(this.settings.properties.office),
        lastAgent: property(this.settings.properties.lastAgent),
        escalations90d: property(this.settings.properties.escalations),
      },
      'HubSpot contact',
    );
  }

  /**
   * One SDK call within the budget. Its errors carry HubSpot's body, which can quote contact data, so they
   * become a {@link CrmError} with the status only: 429 and 5xx retried (after `Retry-After` when it fits the
   * budget), other 4xx final, `notFound` returned for a 404 when given.
   */
  private call<T, F = never>(operation: string, work: () => Promise<T>, options: { notFound?: F; maxAttempts?: number } = {}): Promise<T | F> {
    return withBoundedRetries(
      async () => {
        try {
          return await work();
        } catch (error) {
          if (isApiFailure(error)) {
            if (error.code === 404 && 'notFound' in options) return options.notFound as F;
            const retryable = error.code === 429 || error.code >= 500;
            const wait = error.code === 429 ? (retryAfterMs(error.headers?.['retry-after']) ?? 1_000) : undefined;
            throw new CrmError(`HubSpot ${operation} answered ${error.code}`, retryable, wait);
          }
          const code = (error as { code?: unknown }).code;
          throw new CrmError(`HubSpot ${operation} failed (${typeof code === 'string' ? code : 'network error'})`, true);
        }
      },
      { operation: `HubSpot ${operation}`, timeoutMs: this.settings.timeoutMs, ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}) },
    );
  }
}
