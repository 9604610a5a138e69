import type { CallDestination } from '../contracts';
import { controlEndpoint } from '../vapi/control-url';

/** The Live Call Control commands Switchboard sends (Vapi `ClientInboundMessage*`, no wrapper object). */
export type ControlCommand =
  | { type: 'transfer'; destination: CallDestination; content?: string }
  | { type: 'say'; content: string; endCallAfterSpoken?: boolean };

/**
 * Why a control request did not succeed. `delivered` says whether Vapi may have acted on it: a request that
 * never left (refused connection, unknown host) is safe to send again; one that timed out is not.
 */
export class ControlRequestError extends Error {
  override readonly name = 'ControlRequestError';
  constructor(
    message: string,
    readonly kind: 'rejected' | 'unavailable' | 'unknown',
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface CallControlClient {
  send(controlUrl: string, command: ControlCommand, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<{ status: number }>;
}

const NOT_DELIVERED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** POSTs control commands with fetch. Redirects are refused: a 3xx must not steer the request elsewhere. */
export class HttpCallControlClient implements CallControlClient {
  constructor(private readonly defaultTimeoutMs = 4_000) {}

  async send(controlUrl: string, command: ControlCommand, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<{ status: number }> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.defaultTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(controlEndpoint(controlUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(command),
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      const code = errorCode(error);
      if (code && NOT_DELIVERED_CODES.has(code)) {
        throw new ControlRequestError(`control request not delivered (${code})`, 'unavailable');
      }
      if (timeout.aborted) throw new ControlRequestError('control request timed out after it was sent', 'unknown');
      if (options.signal?.aborted) throw new ControlRequestError('control request cancelled', 'unknown');
      throw new ControlRequestError(`control request failed (${code ?? 'network error'})`, 'unknown');
    }
    // Drain the body so the connection can be reused; its content is not part of the contract.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { status: response.status };
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      throw new ControlRequestError(`control URL answered ${response.status}`, 'unavailable', response.status);
    }
    throw new ControlRequestError(`control URL answered ${response.status}`, 'rejected', response.status);
  }
}
