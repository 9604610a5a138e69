import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the part of Vapi's REST API that callbacks use — `POST /call`, `GET /call` (listed with
 * Vapi's filters) and `GET /call/{id}` — answering as Vapi does: a created call is `201` with the call object
 * (`id`, `orgId`, `createdAt`, `type: outboundPhoneCall`, `status: queued`, `monitor.controlUrl`, and what it
 * was created with, `assistantOverrides` included); a body with a property Vapi does not know is `400` "property
 * X should not exist"; a missing or wrong key is `401`. Used by the simulator and the tests; never by production
 * code. Fault switches make the next create fail as Vapi can: refused (4xx), failed after creating the call
 * (5xx: the answer lost, the call made), or with no answer at all.
 */

/** A call as Vapi holds it (the fields a call back reads or sends back). */
export interface FakeVapiCall {
  id: string;
  orgId: string;
  createdAt: string;
  updatedAt: string;
  type: 'outboundPhoneCall';
  status: string;
  endedReason?: string;
  phoneNumberId: string;
  assistantId?: string;
  customer: { number: string };
  assistantOverrides?: Record<string, unknown>;
  monitor: { listenUrl: string; controlUrl: string };
}

export type CreateFault = { status: number; message?: string; afterCreate?: boolean } | 'no-answer';

export interface FakeVapiApi {
  baseUrl: string;
  /** Every call created, in order. */
  calls: FakeVapiCall[];
  /** Every request, in order (the key is not kept). */
  requests: { method: string; path: string; query: Record<string, string>; body: unknown }[];
  /** The next `POST /call` fails this way (once). */
  failNextCreate(fault: CreateFault): void;
  /** Called with each call created (after Vapi would have answered). */
  onCreate(listener: (call: FakeVapiCall) => void): void;
  /** What Vapi now says of a call (`GET /call/{id}`). */
  setStatus(callId: string, status: string, endedReason?: string): void;
  close(): Promise<void>;
}

/** `CreateCallDto`'s properties: Vapi refuses any other. */
const CREATE_CALL_KEYS = new Set([
  'assistantVersion',
  'transport',
  'customers',
  'name',
  'schedulePlan',
  'assistantId',
  'assistant',
  'assistantOverrides',
  'squadId',
  'squad',
  'squadOverrides',
  'workflowId',
  'workflow',
  'workflowOverrides',
  'phoneNumberId',
  'phoneNumber',
  'customerId',
  'customer',
]);

const FILTERS = { createdAtGt: (a: string, b: string) => a > b, createdAtLt: (a: string, b: string) => a < b, createdAtGe: (a: string, b: string) => a >= b, createdAtLe: (a: string, b: string) => a <= b } as const;

export async function startFakeVapiApi(options: { controlBaseUrl: string; apiKey?: string; port?: number; host?: string }): Promise<FakeVapiApi> {
  const calls: FakeVapiCall[] = [];
  const requests: FakeVapiApi['requests'] = [];
  const listeners: ((call: FakeVapiCall) => void)[] = [];
  let fault: CreateFault | null = null;
  let clock = 0;
  // Vapi's timestamps are milliseconds; two calls created in one millisecond still sort in creation order here.
  const now = () => new Date((clock = Math.max(Date.now(), clock + 1))).toISOString();

  const json = (res: http.ServerResponse, status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  function create(body: Record<string, unknown>): FakeVapiCall {
    const id = randomUUID();
    const at = now();
    const call: FakeVapiCall = {
      id,
      orgId: 'org-switchboard-simulator',
      createdAt: at,
      updatedAt: at,
      type: 'outboundPhoneCall',
      status: 'queued',
      phoneNumberId: String(body.phoneNumberId),
      ...(typeof body.assistantId === 'string' ? { assistantId: body.assistantId } : {}),
      customer: { number: String((body.customer as { number?: unknown }).number) },
      ...(body.assistantOverrides ? { assistantOverrides: body.assistantOverrides as Record<string, unknown> } : {}),
      monitor: { listenUrl: `${options.controlBaseUrl.replace(/^http/, 'ws')}/${id}/listen`, controlUrl: `${options.controlBaseUrl}/${id}/control` },
    };
    calls.push(call);
    return call;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://vapi.local');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        json(res, 400, { message: 'Unexpected token in JSON', error: 'Bad Request', statusCode: 400 });
        return;
      }
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), body });
      const authorization = req.headers.authorization ?? '';
      if (!/^Bearer \S+$/.test(authorization) || (options.apiKey && authorization !== `Bearer ${options.apiKey}`)) {
        json(res, 401, { message: 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.', error: 'Unauthorized', statusCode: 401 });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/call') return createCall(body, res);
      if (req.method === 'GET' && url.pathname === '/call') return listCalls(url.searchParams, res);
      const one = /^\/call\/([^/]+)$/.exec(url.pathname);
      const call = one ? calls.find((candidate) => candidate.id === decodeURIComponent(one[1]!)) : undefined;
      if (req.method === 'GET' && one) return call ? json(res, 200, call) : json(res, 404, { message: 'Not Found', statusCode: 404 });
      json(res, 404, { message: `Cannot ${req.method} ${url.pathname}`, error: 'Not Found', statusCode: 404 });
    });
  });

  function createCall(body: unknown, res: http.ServerResponse): void {
    const dto = (body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(dto).filter((key) => !CREATE_CALL_KEYS.has(key));
    const number = (dto.customer as { number?: unknown } | undefined)?.number;
    const problems = [
      ...unknown.map((key) => `property ${key} should not exist`),
      ...(typeof dto.phoneNumberId === 'string' ? [] : ['phoneNumberId must be a string']),
      ...(typeof number === 'string' && /^\+[1-9]\d{1,14}$/.test(number) ? [] : ['customer.number must be a valid phone number in the E.164 format']),
    ];
    if (problems.length > 0) return json(res, 400, { message: problems, error: 'Bad Request', statusCode: 400 });
    const failing = fault;
    fault = null;
    if (failing && failing !== 'no-answer' && !failing.afterCreate) {
      return json(res, failing.status, { message: failing.message ?? 'refused', error: http.STATUS_CODES[failing.status] ?? 'Error', statusCode: failing.status });
    }
    const call = create(dto);
    if (failing === 'no-answer') res.socket?.destroy();
    else if (failing) json(res, failing.status, { message: failing.message ?? 'Internal server error', statusCode: failing.status });
    else json(res, 201, call);
    setImmediate(() => listeners.forEach((listener) => listener(call)));
  }

  function listCalls(query: URLSearchParams, res: http.ServerResponse): void {
    let found = calls.filter((call) => !query.has('phoneNumberId') || call.phoneNumberId === query.get('phoneNumberId'));
    if (query.has('id')) found = found.filter((call) => call.id === query.get('id'));
    if (query.has('assistantId')) found = found.filter((call) => call.assistantId === query.get('assistantId'));
    for (const [name, keep] of Object.entries(FILTERS)) {
      const bound = query.get(name);
      if (bound) found = found.filter((call) => keep(call.createdAt, new Date(bound).toISOString()));
    }
    const limit = Math.min(Math.max(Number(query.get('limit') ?? 100) || 100, 1), 1000);
    json(res, 200, [...found].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).slice(0, limit));
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${options.host ?? '127.0.0.1'}:${port}`,
    calls,
    requests,
    failNextCreate(next) {
      fault = next;
    },
    onCreate(listener) {
      listeners.push(listener);
    },
    setStatus(callId, status, endedReason) {
      const call = calls.find((candidate) => candidate.id === callId);
      if (!call) return;
      Object.assign(call, { status, updatedAt: now(), ...(endedReason ? { endedReason } : {}) });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
