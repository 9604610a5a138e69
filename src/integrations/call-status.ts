import type { CallStateReport } from '../contracts';
import type { Logger } from '../observability/logger';

/**
 * Where a call stands right now, from Vapi's API (`GET /call/{id}`). The copy of `call` inside webhooks is
 * stale by design, so this is the only way to learn that a caller is still with the assistant after a
 * transfer went quiet. Resolves with Vapi's status (`in-progress`, `forwarding`, `ended`, …), with
 * {@link CALL_NOT_FOUND} when Vapi does not know the call, and with null when it cannot be asked at all (no
 * VAPI_API_KEY). Rejects with {@link VapiApiError} when Vapi was asked and did not answer.
 */
export interface CallStatusSource {
  status(callId: string): Promise<string | null>;
  /** The status and, for an ended call, why it ended (Vapi's `endedReason`), where the source can tell. */
  report?(callId: string): Promise<CallStateReport>;
}

/** Vapi answered 404 for the call: an answer (the call is not there), not a failure. */
export const CALL_NOT_FOUND = 'not-found';

/** How one request to Vapi's API ended; the label values of `switchboard_vapi_api_requests_total`. */
export const VAPI_API_OUTCOMES = ['ok', 'not-found', 'rejected', 'unavailable', 'timeout', 'unreachable', 'invalid-answer'] as const;
export type VapiApiOutcome = (typeof VAPI_API_OUTCOMES)[number];

/** Vapi's API could not say: the message names the operation and a status or code, never the key or a body. */
export class VapiApiError extends Error {
  override readonly name = 'VapiApiError';
  constructor(
    readonly operation: string,
    readonly outcome: Exclude<VapiApiOutcome, 'ok' | 'not-found'>,
    readonly detail: { status?: number; code?: string },
    message: string,
  ) {
    super(message);
  }
}

/** The one request Switchboard makes to Vapi's API (the `operation` label). */
export const GET_CALL = 'get-call';
const DEFAULT_TIMEOUT_MS = 3_000;

/** fetch hides why a request never got an answer in its cause (ECONNREFUSED, ENOTFOUND, …). */
function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === 'string' ? cause.code : (error as Error)?.name ?? 'Error';
}

export interface VapiApiOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs?: number;
  logger?: Logger;
  /** Counts every request by operation and outcome (the Prometheus counter). */
  onRequest?: (operation: string, outcome: VapiApiOutcome) => void;
}

/** One request to Vapi's API as the caller describes it: what it is called in logs and metrics, and what it sends. */
export interface VapiApiRequest {
  operation: string;
  /** How logs and errors name it, without ids: `GET /call/{id}`. */
  describe: string;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** The caller's own log fields (ids only). */
  logFields?: Record<string, unknown>;
  /** Answers that are answers, not failures (404 for a call Vapi does not know). */
  accept?: readonly number[];
  /**
   * A refusal's failure quotes what Vapi said (masked and bounded; never logged): for requests whose refusal a
   * supervisor must be able to read, such as a call back Vapi would not place.
   */
  quoteRefusal?: boolean;
  /** What is wrong with a 2xx answer's body, if anything: it then counts and fails as `invalid-answer`. */
  invalid?: (body: unknown) => string | null;
  timeoutMs?: number;
}

/**
 * Vapi's REST API over fetch, with one account of every request: counted by operation and outcome, a failure
 * logged once (operation, outcome, status or code, the caller's ids; never the key or a body) and thrown as a
 * {@link VapiApiError} that says whether asking again may help (`unavailable`, `timeout`, `unreachable`) or not
 * (`rejected`: a 4xx other than 408 and 429).
 */
export class VapiApi {
  constructor(private readonly options: VapiApiOptions) {}

  /** Resolves with the status and the JSON answer (null when it is not JSON) of a 2xx or an accepted status. */
  async request(request: VapiApiRequest): Promise<{ status: number; body: unknown }> {
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, '')}${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers: { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json', ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const code = errorCode(error);
      if (code === 'TimeoutError') throw this.failed(request, 'timeout', {}, `did not answer within ${timeoutMs} ms`);
      throw this.failed(request, 'unreachable', { code }, `could not be reached (${code})`);
    }
    if (!response.ok && !request.accept?.includes(response.status)) {
      const { status } = response;
      const retryable = status >= 500 || status === 429 || status === 408;
      const said = !retryable && request.quoteRefusal ? vapiSays(await response.json().catch(() => null)) : '';
      await response.body?.cancel().catch(() => undefined);
      const hint = status === 401 || status === 403 ? ' (check VAPI_API_KEY)' : '';
      throw this.failed(request, retryable ? 'unavailable' : 'rejected', { status }, `answered ${status}${hint}`, said);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      this.options.onRequest?.(request.operation, response.status === 404 ? 'not-found' : 'ok');
      return { status: response.status, body: null };
    }
    const body: unknown = await response.json().catch(() => null);
    const problem = request.invalid?.(body);
    if (problem) throw this.failed(request, 'invalid-answer', { status: response.status }, problem);
    this.options.onRequest?.(request.operation, 'ok');
    return { status: response.status, body };
  }

  /** Counted, logged once here (ids, status or code only), and thrown for the caller to decide. */
  private failed(request: VapiApiRequest, outcome: VapiApiError['outcome'], detail: VapiApiError['detail'], what: string, said = ''): VapiApiError {
    this.options.onRequest?.(request.operation, outcome);
    this.options.logger?.warn({ operation: request.operation, outcome, ...request.logFields, ...detail }, `Vapi API request failed: ${request.describe} ${what}`);
    return new VapiApiError(request.operation, outcome, detail, `Vapi API ${request.describe} ${what}${said ? `: ${said}` : ''}`);
  }
}

/**
 * What Vapi said when it refused a request (`message`, a string or a list), for the failure a supervisor reads:
 * bounded, and with anything that looks like a phone number masked, since Vapi may quote what it was sent.
 */
function vapiSays(body: unknown): string {
  const message = (body as { message?: unknown } | null)?.message;
  const text = Array.isArray(message) ? message.filter((item) => typeof item === 'string').join('; ') : typeof message === 'string' ? message : '';
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, '…').slice(0, 200);
}

export class VapiCallStatus implements CallStatusSource {
  private readonly api: VapiApi;

  constructor(options: VapiApiOptions) {
    this.api = new VapiApi(options);
  }

  async status(callId: string): Promise<string | null> {
    return (await this.report(callId)).status;
  }

  async report(callId: string): Promise<CallStateReport> {
    const { status, body } = await this.api.request({
      operation: GET_CALL,
      describe: 'GET /call/{id}',
      method: 'GET',
      path: `/call/${encodeURIComponent(callId)}`,
      logFields: { callId },
      accept: [404],
      invalid: (answer) => (typeof (answer as { status?: unknown } | null)?.status === 'string' ? null : 'answered without a call status'),
    });
    if (status === 404) return { status: CALL_NOT_FOUND };
    const answer = body as { status: string; endedReason?: unknown };
    return { status: answer.status, endedReason: typeof answer.endedReason === 'string' ? answer.endedReason : null };
  }
}

/** Without a Vapi API key Switchboard cannot ask; silence then never triggers a fallback. */
export const unknownCallStatus: CallStatusSource = { status: async () => null };

/** How a process observes its requests to Vapi's API: failures logged, every request counted. */
export interface VapiApiObserver {
  logger?: Logger;
  metrics?: { vapiApiRequest(operation: string, outcome: VapiApiOutcome): void };
}

/** The options of every client of Vapi's API in a process, or null when no key is configured. */
export function vapiApiOptions(config: { vapiApiKey: string | undefined; vapiBaseUrl: string }, observe: VapiApiObserver = {}): VapiApiOptions | null {
  if (!config.vapiApiKey) return null;
  return {
    apiKey: config.vapiApiKey,
    baseUrl: config.vapiBaseUrl,
    ...(observe.logger ? { logger: observe.logger } : {}),
    ...(observe.metrics ? { onRequest: (operation, outcome) => observe.metrics!.vapiApiRequest(operation, outcome) } : {}),
  };
}

/** Vapi's API when a key is configured, else a source that never knows (and says nothing about it). */
export function callStatusSource(config: { vapiApiKey: string | undefined; vapiBaseUrl: string }, observe: VapiApiObserver = {}): CallStatusSource {
  const options = vapiApiOptions(config, observe);
  return options ? new VapiCallStatus(options) : unknownCallStatus;
}
