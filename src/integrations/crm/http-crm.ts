import { z } from 'zod';
import { withBoundedRetries } from './bounded-retry';
import type { CrmAdapter, CrmCustomer, NoteStatusChange, StoredTransferNote, TransferNote, TransferNoteStatus } from './crm';
import { CrmConfigError, CrmError, describeFieldProblems, noteStatusesMovableTo, parseCrmCustomer, readNoteStatus, renderTransferNote } from './crm';

export interface HttpCrmSettings {
  /** CRM_URL: the base URL every path of the contract (docs/crm-http-contract.md) hangs off. */
  baseUrl: string;
  /** CRM_HTTP_TOKEN; sent in `authHeader` (`Authorization: Bearer …`, or raw in any other header). */
  token?: string | undefined;
  authHeader: string;
  /** Per request. */
  timeoutMs: number;
}

const customerAnswer = z.object({ customer: z.record(z.string(), z.unknown()) });
const noteIdAnswer = z.object({ noteId: z.union([z.string().min(1), z.number()]).transform(String) });
/** How much of a status word Switchboard does not know is shown to operators beside the status it was read as. */
const REPORTED_STATUS_SHOWN = 40;
const noteAnswer = z
  .object({
    noteId: z.union([z.string().min(1), z.number()]).transform(String),
    transferId: z.string().min(1),
    // Any word: a CRM on an older or newer contract is read as the nearest status, and says so in the reason.
    status: z.string(),
    statusReason: z.string().nullish().transform((value) => value ?? null),
    text: z.string(),
  })
  .transform((note): StoredTransferNote => {
    const status = readNoteStatus(note.status);
    if (status === note.status) return { ...note, status };
    const reported = `CRM status "${note.status.slice(0, REPORTED_STATUS_SHOWN)}"`;
    return { ...note, status, statusReason: note.statusReason ? `${reported}: ${note.statusReason}` : reported };
  });
/** `{"changed": false}` when the CRM refused the move; no body (a CRM on the earlier contract answers 204) means it applied it. */
const statusChangeAnswer = z
  .union([z.null(), z.object({ changed: z.boolean().optional() })])
  .transform((answer): NoteStatusChange => ({ changed: answer?.changed ?? true }));

interface Answer {
  status: number;
  body: unknown;
}

/** Why a fetch failed: the network error's code (ECONNREFUSED, ENOTFOUND, …), else undici's own reason ("bad port"). */
function transportCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof cause?.message === 'string' ? cause.message : 'network error';
}

/**
 * Any CRM behind the small REST contract of docs/crm-http-contract.md: lookups by id or number, a note upserted
 * per transfer with an idempotency key, a note marked. Each request has its own timeout; 5xx answers, timeouts
 * and failed connections are retried within the call budget, 4xx answers are final; every answer is
 * validated before use.
 */
export class HttpCrm implements CrmAdapter {
  readonly kind = 'http' as const;
  private readonly base: string;

  constructor(private readonly settings: HttpCrmSettings) {
    this.base = settings.baseUrl.replace(/\/+$/, '');
  }

  async findCustomer(query: { customerId?: string; phone?: string }): Promise<CrmCustomer | null> {
    if (query.customerId) {
      const byId = await this.customer(`/customers/${encodeURIComponent(query.customerId)}`, 'GET /customers/{id}');
      if (byId) return byId;
    }
    if (query.phone) return this.customer(`/customers?phone=${encodeURIComponent(query.phone)}`, 'GET /customers?phone');
    return null;
  }

  async upsertTransferNote(note: TransferNote): Promise<{ noteId: string }> {
    const operation = 'PUT /transfers/{id}/note';
    const answer = await this.request('PUT', `/transfers/${encodeURIComponent(note.transferId)}/note`, operation, {
      body: {
        transferId: note.transferId,
        customerId: note.customerId,
        department: note.department,
        agentId: note.agentId,
        reason: note.reason,
        urgency: note.urgency,
        callerWords: note.callerWords,
        routing: note.routing ?? null,
        text: renderTransferNote(note),
      },
      headers: { 'idempotency-key': note.transferId },
    });
    this.expectSuccess(answer, operation);
    return this.parse(noteIdAnswer, answer.body, operation);
  }

  /** The CRM applies the move only when the note's status is one of `ifStatusIn` (canMoveNote's, sent with it). */
  async updateNoteStatus(noteId: string, status: TransferNoteStatus, statusReason: string | null): Promise<NoteStatusChange> {
    const operation = 'PATCH /notes/{id}';
    const answer = await this.request('PATCH', `/notes/${encodeURIComponent(noteId)}`, operation, {
      body: { status, statusReason, ifStatusIn: noteStatusesMovableTo(status) },
    });
    if (answer.status === 404) return { changed: false };
    this.expectSuccess(answer, operation);
    return this.parse(statusChangeAnswer, answer.body, operation);
  }

  async findTransferNote(transferId: string): Promise<StoredTransferNote | null> {
    const operation = 'GET /transfers/{id}/note';
    const answer = await this.request('GET', `/transfers/${encodeURIComponent(transferId)}/note`, operation);
    if (answer.status === 404) return null;
    this.expectSuccess(answer, operation);
    return this.parse(noteAnswer, answer.body, operation);
  }

  async check(): Promise<void> {
    const answer = await this.request('GET', '/health', 'GET /health', { maxAttempts: 1 });
    // /health is optional in the contract: a 404 still proves the CRM answers.
    if (answer.status >= 400 && answer.status !== 404) this.expectSuccess(answer, 'GET /health');
  }

  async validate(): Promise<void> {
    const host = new URL(this.base).host;
    let answer: Answer;
    try {
      answer = await this.request('GET', '/health', 'GET /health', { maxAttempts: 1 });
    } catch (error) {
      throw new CrmConfigError(
        `CRM_URL: cannot reach the CRM at ${host} (${error instanceof Error ? error.message : 'no answer'}); check the URL, or unset CRM_URL to use the demo CRM`,
      );
    }
    if (answer.status === 401 || answer.status === 403) {
      throw new CrmConfigError(
        `CRM_HTTP_TOKEN: the CRM at ${host} refused the credentials (${answer.status}); set CRM_HTTP_TOKEN (and CRM_HTTP_AUTH_HEADER when it is not an Authorization bearer token)`,
      );
    }
    if (answer.status >= 500) throw new CrmConfigError(`CRM_URL: the CRM at ${host} answers ${answer.status} to GET /health; start it, or correct CRM_URL`);
  }

  async close(): Promise<void> {}

  private async customer(path: string, operation: string): Promise<CrmCustomer | null> {
    const answer = await this.request('GET', path, operation);
    if (answer.status === 404) return null;
    this.expectSuccess(answer, operation);
    const { customer } = this.parse(customerAnswer, answer.body, operation);
    return parseCrmCustomer({ ...customer, lastAgent: customer.lastAgentId }, `the CRM's answer to ${operation}`);
  }

  private expectSuccess(answer: Answer, operation: string): void {
    if (answer.status >= 200 && answer.status < 300) return;
    throw new CrmError(`CRM ${operation} answered ${answer.status}`, answer.status >= 500);
  }

  private parse<T>(schema: z.ZodType<T>, body: unknown, operation: string): T {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    throw new CrmError(`CRM ${operation}: the answer does not follow the contract (${describeFieldProblems(parsed.error, '(body)')})`, false);
  }

  /** One request with retries: resolves with any answer below 500 (the caller decides), throws on 5xx after retries. */
  private request(
    method: string,
    path: string,
    operation: string,
    options: { body?: unknown; headers?: Record<string, string>; maxAttempts?: number } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (this.settings.token) {
      headers[this.settings.authHeader] = this.settings.authHeader === 'authorization' ? `Bearer ${this.settings.token}` : this.settings.token;
    }
    return withBoundedRetries(
      async (signal) => {
        let response: Response;
        try {
          response = await fetch(`${this.base}${path}`, {
            method,
            headers,
            ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
            signal,
            // A redirect would carry the credentials to a host nobody configured.
            redirect: 'error',
          });
        } catch (error) {
          throw new CrmError(`CRM ${operation} failed (${transportCause(error)})`, true);
        }
        if (response.status >= 500) {
          await response.body?.cancel();
          throw new CrmError(`CRM ${operation} answered ${response.status}`, true);
        }
        const text = await response.text();
        let body: unknown = null;
        if (text) {
          try {
            body = JSON.parse(text);
          } catch {
            if (response.ok) throw new CrmError(`CRM ${operation}: the answer is not JSON`, false);
          }
        }
        return { status: response.status, body };
      },
      { operation: `CRM ${operation}`, timeoutMs: this.settings.timeoutMs, ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}) },
    );
  }
}
