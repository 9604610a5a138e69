import http from 'node:http';
import https from 'node:https';
import type { CallDestination } from '../contracts';
import { controlEndpoint } from '../vapi/control-url';

/** The Live Call Control commands Switchboard sends (Vapi `ClientInboundMessage*`, no wrapper object). */
export type ControlCommand =
  | { type: 'transfer'; destination: CallDestination; content?: string }
  | { type: 'say'; content: string; endCallAfterSpoken?: boolean }
  | { type: 'add-message'; message: { role: 'system'; content: string }; triggerResponseEnabled: boolean };

/**
 * Why a control request did not succeed, by what it proves:
 * - `rejected`: Vapi answered and refused (a 4xx): nothing happened, and sending it again cannot help;
 * - `unavailable`: it provably never reached Vapi, or Vapi said it did not act (connection refused or reset
 *   before the request was written, DNS, TLS, 503, 429): safe to send again, after `retryAfterMs` if given;
 * - `unknown`: it may have been acted on (500, 502, 504, 408, a timeout or a broken connection after the
 *   request was written): sending it again could do it twice.
 */
export class ControlRequestError extends Error {
  override readonly name = 'ControlRequestError';
  constructor(
    message: string,
    readonly kind: 'rejected' | 'unavailable' | 'unknown',
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface ControlSendOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Awaited once the request is ready and before its first byte is written: where the caller records that an
   * attempt is about to leave. If it fails, nothing is written and the attempt is `unavailable`.
   */
  beforeWrite?: () => Promise<void>;
}

export interface CallControlClient {
  send(controlUrl: string, command: ControlCommand, options?: ControlSendOptions): Promise<{ status: number }>;
}

/** Statuses that prove Vapi did not act: it was overloaded, or it told us to slow down. */
const NOT_ACTED = new Set([503, 429]);
/** Statuses that prove nothing: a gateway or Vapi itself may have acted before the error came back. */
const FATE_UNKNOWN = new Set([408, 500, 502, 504]);

/** The longest a `Retry-After` is honoured; a longer one counts as this long (the caller is waiting). */
export const MAX_RETRY_AFTER_MS = 5_000;

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `Retry-After` in seconds or as an HTTP date, in ms from `now`, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * POSTs control commands over node's HTTP client, which says when the request has been written: everything
 * before that moment is provably undelivered, everything after it is not. Redirects are refused (a 3xx must
 * not steer the request elsewhere). Connections are kept alive between commands of one process.
 */
export class HttpCallControlClient implements CallControlClient {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, timeout: 4_000 }),
    https: new https.Agent({ keepAlive: true, timeout: 4_000 }),
  };

  constructor(private readonly defaultTimeoutMs = 4_000) {}

  send(controlUrl: string, command: ControlCommand, options: ControlSendOptions = {}): Promise<{ status: number }> {
    const url = new URL(controlEndpoint(controlUrl));
    const body = JSON.stringify(command);
    const secure = url.protocol === 'https:';
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      let written = false;
      let settled = false;
      const request = (secure ? https : http).request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: secure ? this.agents.https : this.agents.http,
      });
      const settle = (outcome: { status: number } | ControlRequestError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof ControlRequestError) {
          request.destroy();
          reject(outcome);
        } else {
          resolve(outcome);
        }
      };
      const broken = (what: string) =>
        written
          ? new ControlRequestError(`control request ${what} after it was sent`, 'unknown')
          : new ControlRequestError(`control request not delivered (${what})`, 'unavailable');
      const timer = setTimeout(() => settle(broken(`timed out after ${timeoutMs} ms`)), timeoutMs);
      const onAbort = () => settle(broken('cancelled'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();

      request.on('finish', () => {
        written = true;
      });
      request.on('error', (error) => settle(broken(errorCode(error) ?? 'network error')));
      request.on('response', (response) => {
        // Drain the body so the connection can be reused; its content is not part of the contract.
        response.resume();
        response.on('error', () => settle(broken('answer broken off')));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) settle({ status });
          else if (NOT_ACTED.has(status)) settle(new ControlRequestError(`control URL answered ${status}`, 'unavailable', status, retryAfterMs(response.headers['retry-after'])));
          else if (FATE_UNKNOWN.has(status) || status >= 500) settle(new ControlRequestError(`control URL answered ${status}`, 'unknown', status));
          else settle(new ControlRequestError(`control URL answered ${status}`, 'rejected', status));
        });
      });

      const write = () => {
        if (!settled) request.end(body);
      };
      if (!options.beforeWrite) {
        write();
        return;
      }
      options.beforeWrite().then(write, (error: unknown) =>
        settle(new ControlRequestError(`control request not sent: the attempt could not be recorded first (${errorCode(error) ?? (error as Error)?.name ?? 'error'})`, 'unavailable')),
      );
    });
  }

  /** Closes idle kept-alive connections (tests, shutdown). */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
