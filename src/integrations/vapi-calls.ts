import type { CallbackCallTag } from '../contracts';
import { callbackTagOf } from '../contracts';
import type { VapiApiObserver, VapiApiOptions, VapiApiRequest } from './call-status';
import { VapiApi, vapiApiOptions } from './call-status';

/**
 * The body of `POST /call` for a call back, as Vapi's `CreateCallDto` has it (proved against the SDK's type in
 * src/vapi/sdk-conformance.ts). Vapi's create-call body has no metadata of its own: the callback's tag rides
 * in `assistantOverrides.metadata`, which Vapi keeps on the call and returns with it (`GET /call`, webhooks).
 */
export interface CallbackCallBody {
  assistantId?: string;
  phoneNumberId: string;
  customer: { number: string };
  assistantOverrides: {
    variableValues: Record<string, string | number | boolean>;
    metadata: CallbackCallTag;
    /** Live Call Control on, whatever the assistant says: the call back is transferred through `monitor.controlUrl`. */
    monitorPlan: { controlEnabled: true };
  };
}

/** A call as Switchboard needs it from Vapi's answer: no personal data. */
export interface VapiCall {
  id: string;
  /** `monitor.controlUrl`: a capability, never logged. */
  controlUrl: string | null;
  status: string | null;
  createdAt: string | null;
}

/** Vapi's calls, as a callback places and finds them. */
export interface VapiCalls {
  /** `POST /call`, once (no retry here: the activity decides, after asking Vapi). */
  create(body: CallbackCallBody): Promise<VapiCall>;
  /** The call tagged `tag`, created from `phoneNumberId` after `createdAfter` (ISO 8601), or null: `GET /call`, paged. */
  findTagged(tag: CallbackCallTag, options: { phoneNumberId: string; createdAfter: string }): Promise<VapiCall | null>;
}

/** Vapi's page size for `GET /call` (its default), and how many pages a search reads at most. */
const PAGE = 100;
const MAX_PAGES = 50;

/** Placing a call waits longer than asking about one: Vapi dials out before it answers. */
export const CREATE_TIMEOUT_MS = 10_000;

export class HttpVapiCalls implements VapiCalls {
  private readonly api: VapiApi;

  constructor(options: VapiApiOptions) {
    this.api = new VapiApi(options);
  }

  async create(body: CallbackCallBody): Promise<VapiCall> {
    const { body: answer } = await this.api.request({
      operation: 'create-call',
      describe: 'POST /call',
      method: 'POST',
      path: '/call',
      body,
      logFields: { callbackId: body.assistantOverrides.metadata.switchboardCallbackId, attempt: body.assistantOverrides.metadata.attempt },
      timeoutMs: CREATE_TIMEOUT_MS,
      quoteRefusal: true,
      invalid: (value) => (callOf(value) ? null : 'answered without a call id'),
    });
    return callOf(answer)!;
  }

  /**
   * Reads every call of the phone number created after `createdAfter`, a page at a time, and keeps the one
   * whose tag is exactly `tag`. Pages move by `createdAt` in whichever order Vapi lists them, and a page that
   * brings no call not seen before ends the search.
   */
  async findTagged(tag: CallbackCallTag, options: { phoneNumberId: string; createdAfter: string }): Promise<VapiCall | null> {
    const seen = new Set<string>();
    let window: Record<string, string> = { createdAtGt: options.createdAfter };
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const request: VapiApiRequest = {
        operation: 'list-calls',
        describe: 'GET /call',
        method: 'GET',
        path: '/call',
        query: { phoneNumberId: options.phoneNumberId, limit: String(PAGE), ...window },
        logFields: { callbackId: tag.switchboardCallbackId, attempt: tag.attempt },
        invalid: (value) => (Array.isArray(value) ? null : 'answered without a list of calls'),
      };
      const calls = (await this.api.request(request)).body as unknown[];
      const fresh = calls.filter((call) => typeof (call as { id?: unknown })?.id === 'string' && !seen.has((call as { id: string }).id));
      for (const call of fresh) {
        seen.add((call as { id: string }).id);
        const found = callbackTagOf(call);
        if (found?.switchboardCallbackId === tag.switchboardCallbackId && found.attempt === tag.attempt) return callOf(call);
      }
      if (calls.length < PAGE || fresh.length === 0) return null;
      const times = calls.map((call) => (call as { createdAt?: unknown }).createdAt).filter((time): time is string => typeof time === 'string');
      if (times.length === 0) return null;
      const newestFirst = times[0]! >= times[times.length - 1]!;
      // Equal timestamps at a page's edge are read again (inclusive bound) and skipped as seen.
      window = newestFirst
        ? { createdAtGt: options.createdAfter, createdAtLe: times.reduce((a, b) => (a < b ? a : b)) }
        : { createdAtGe: times.reduce((a, b) => (a > b ? a : b)) };
    }
    throw new Error(`Vapi API GET /call: more than ${MAX_PAGES * PAGE} calls since ${options.createdAfter}; cannot tell whether the call back was placed`);
  }
}

function callOf(value: unknown): VapiCall | null {
  const call = value as { id?: unknown; status?: unknown; createdAt?: unknown; monitor?: { controlUrl?: unknown } | null } | null;
  if (typeof call?.id !== 'string' || call.id.length === 0) return null;
  return {
    id: call.id,
    controlUrl: typeof call.monitor?.controlUrl === 'string' ? call.monitor.controlUrl : null,
    status: typeof call.status === 'string' ? call.status : null,
    createdAt: typeof call.createdAt === 'string' ? call.createdAt : null,
  };
}

/** Vapi's calls when a key is configured, else null (callbacks are then off: see `callbacksOffReason`). */
export function vapiCallsOf(config: { vapiApiKey: string | undefined; vapiBaseUrl: string }, observe: VapiApiObserver = {}): VapiCalls | null {
  const options = vapiApiOptions(config, observe);
  return options ? new HttpVapiCalls(options) : null;
}
