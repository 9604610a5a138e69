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

export class VapiCallStatus implements CallStatusSource {
  constructor(
    private readonly options: {
      apiKey: string;
      baseUrl: string;
      timeoutMs?: number;
      logger?: Logger;
      /** Counts every request by operation and outcome (the Prometheus counter). */
      onRequest?: (operation: string, outcome: VapiApiOutcome) => void;
    },
  ) {}

  async status(callId: string): Promise<string | null> {
    return (await this.report(callId)).status;
  }

  async report(callId: string): Promise<CallStateReport> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl.replace(/\/+$/, '')}/call/${encodeURIComponent(callId)}`, {
        headers: { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const code = errorCode(error);
      if (code === 'TimeoutError') throw this.failed(callId, 'timeout', {}, `did not answer within ${timeoutMs} ms`);
      throw this.failed(callId, 'unreachable', { code }, `could not be reached (${code})`);
    }
    if (response.status === 404) {
      await response.body?.cancel();
      this.options.onRequest?.(GET_CALL, 'not-found');
      return { status: CALL_NOT_FOUND };
    }
    if (!response.ok) {
      await response.body?.cancel();
      const { status } = response;
      const retryable = status >= 500 || status === 429 || status === 408;
      const hint = status === 401 || status === 403 ? ' (check VAPI_API_KEY)' : '';
      throw this.failed(callId, retryable ? 'unavailable' : 'rejected', { status }, `answered ${status}${hint}`);
    }
    const answer = (await response.json().catch(() => null)) as { status?: unknown; endedReason?: unknown } | null;
    if (typeof answer?.status !== 'string') throw this.failed(callId, 'invalid-answer', { status: response.status }, 'answered without a call status');
    this.options.onRequest?.(GET_CALL, 'ok');
    return { status: answer.status, endedReason: typeof answer.endedReason === 'string' ? answer.endedReason : null };
  }

  /** Counted, logged once here (ids, status or code only), and thrown for the caller to decide. */
  private failed(callId: string, outcome: VapiApiError['outcome'], detail: VapiApiError['detail'], what: string): VapiApiError {
    this.options.onRequest?.(GET_CALL, outcome);
    this.options.logger?.warn({ operation: GET_CALL, outcome, callId, ...detail }, `Vapi API request failed: GET /call/{id} ${what}`);
    return new VapiApiError(GET_CALL, outcome, detail, `Vapi API GET /call/{id} ${what}`);
  }
}

/** Without a Vapi API key Switchboard cannot ask; silence then never triggers a fallback. */
export const unknownCallStatus: CallStatusSource = { status: async () => null };

/** Vapi's API when a key is configured, else a source that never knows (and says nothing about it). */
export function callStatusSource(
  config: { vapiApiKey: string | undefined; vapiBaseUrl: string },
  observe: { logger?: Logger; metrics?: { vapiApiRequest(operation: string, outcome: VapiApiOutcome): void } } = {},
): CallStatusSource {
  if (!config.vapiApiKey) return unknownCallStatus;
  return new VapiCallStatus({
    apiKey: config.vapiApiKey,
    baseUrl: config.vapiBaseUrl,
    ...(observe.logger ? { logger: observe.logger } : {}),
    ...(observe.metrics ? { onRequest: (operation, outcome) => observe.metrics!.vapiApiRequest(operation, outcome) } : {}),
  });
}
