import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Request, Response } from 'express';

/**
 * A local stand-in for exactly the HubSpot CRM v3 endpoints the HubSpot adapter calls, answering with the
 * shapes HubSpot documents: objects `{id, properties, createdAt, updatedAt, archived}`, searches
 * `{total, results}`, errors `{status: "error", message, correlationId, category}`, and its rate-limit answer
 * (429, `errorType: RATE_LIMIT`, `policyName`, `Retry-After`). Search is eventually consistent like HubSpot's
 * when `searchLagMs` is set: a new note is found by search only that long after it was created.
 */
export interface HubSpotStandIn {
  baseUrl: string;
  contacts: Map<string, { properties: Record<string, string>; createdAt: string }>;
  notes: Map<string, { properties: Record<string, string>; associations: string[]; createdAt: string; updatedAt: string }>;
  /** Contact property names the account has (for the properties endpoint). */
  contactPropertyNames: Set<string>;
  requests: { method: string; path: string; at: number }[];
  /** The next `count` requests (matching `path`) get HubSpot's 429 with this Retry-After (seconds). */
  rateLimitNext(options: { count?: number; retryAfterSeconds: number; path?: RegExp }): void;
  /** The next `count` requests (matching `path`) get this status (a 5xx body like HubSpot's). */
  failNext(options: { status: number; count?: number; path?: RegExp }): void;
  /** The next note create is written but its answer never arrives (the connection is dropped). */
  loseNextCreateAnswer(): void;
  searchLagMs: number;
  addContact(properties: Record<string, string>): string;
  close(): Promise<void>;
}

const STANDARD_CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'hs_language', 'createdate', 'lastmodifieddate', 'hs_object_id'];

function error(res: Response, status: number, message: string, category: string): void {
  res.status(status).json({ status: 'error', message, correlationId: randomUUID(), category });
}

/** HubSpot's tokenizer, near enough: case-insensitive runs of letters and digits. */
const tokens = (text: string) => new Set(text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean));

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
}

function matches(properties: Record<string, string>, filterGroups: { filters: Filter[] }[]): boolean {
  if (filterGroups.length === 0) return true;
  return filterGroups.some((group) =>
    group.filters.every((filter) => {
      const actual = properties[filter.propertyName];
      if (filter.operator === 'EQ') return actual !== undefined && actual.toLowerCase() === String(filter.value).toLowerCase();
      if (filter.operator === 'CONTAINS_TOKEN') return actual !== undefined && tokens(actual).has(String(filter.value).toLowerCase());
      throw new Error(`the stand-in does not implement ${filter.operator}`);
    }),
  );
}

function pick(properties: Record<string, string>, wanted: string[] | undefined, defaults: string[]): Record<string, string | null> {
  const names = wanted && wanted.length > 0 ? wanted : defaults;
  return Object.fromEntries(names.map((name) => [name, properties[name] ?? null]));
}

function requestedProperties(req: Request): string[] | undefined {
  const raw = req.query.properties;
  if (raw === undefined) return undefined;
  return (Array.isArray(raw) ? raw : [raw]).flatMap((value) => String(value).split(',')).filter(Boolean);
}

export async function startHubSpotStandIn(options: { token: string }): Promise<HubSpotStandIn> {
  const contacts: HubSpotStandIn['contacts'] = new Map();
  const notes: HubSpotStandIn['notes'] = new Map();
  const contactPropertyNames = new Set(STANDARD_CONTACT_PROPERTIES);
  const requests: HubSpotStandIn['requests'] = [];
  let faults: { kind: 'rate-limit' | 'status'; count: number; retryAfterSeconds?: number; status?: number; path?: RegExp }[] = [];
  let loseCreateAnswer = false;
  let nextId = 1001;
  const state = { searchLagMs: 0 };

  const app = express();
  app.use(express.json());
  app.use((req, res, next) => {
    requests.push({ method: req.method, path: req.path, at: Date.now() });
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      error(
        res,
        401,
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        'INVALID_AUTHENTICATION',
      );
      return;
    }
    const fault = faults.find((candidate) => candidate.count > 0 && (!candidate.path || candidate.path.test(req.path)));
    if (fault) {
      fault.count -= 1;
      if (fault.kind === 'rate-limit') {
        res
          .status(429)
          .set({
            'Retry-After': String(fault.retryAfterSeconds),
            'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
            'X-HubSpot-RateLimit-Max': '100',
            'X-HubSpot-RateLimit-Remaining': '0',
          })
          .json({
            status: 'error',
            message: 'You have reached your ten_secondly_rolling limit.',
            errorType: 'RATE_LIMIT',
            correlationId: randomUUID(),
            policyName: 'TEN_SECONDLY_ROLLING',
            requestId: randomUUID(),
          });
      } else {
        error(res, fault.status!, 'internal error', 'INTERNAL_ERROR');
      }
      return;
    }
    next();
  });

  const now = () => new Date().toISOString();
  const contactJson = (id: string, wanted: string[] | undefined) => {
    const contact = contacts.get(id)!;
    return {
      id,
      properties: { ...pick(contact.properties, wanted, ['createdate', 'email', 'firstname', 'lastname', 'lastmodifieddate']), hs_object_id: id },
      createdAt: contact.createdAt,
      updatedAt: contact.createdAt,
      archived: false,
    };
  };
  const noteJson = (id: string, wanted: string[] | undefined) => {
    const note = notes.get(id)!;
    return { id, properties: { ...pick(note.properties, wanted, ['hs_createdate', 'hs_lastmodifieddate']), hs_object_id: id }, createdAt: note.createdAt, updatedAt: note.updatedAt, archived: false };
  };

  app.get('/crm/v3/objects/contacts', (req, res) => {
    const limit = Number(req.query.limit ?? 10);
    const ids = [...contacts.keys()].slice(0, limit);
    res.json({ results: ids.map((id) => contactJson(id, requestedProperties(req))) });
  });
  app.get('/crm/v3/objects/contacts/:id', (req, res) => {
    if (!contacts.has(req.params.id)) {
      error(res, 404, 'Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND');
      return;
    }
    res.json(contactJson(req.params.id, requestedProperties(req)));
  });
  app.post('/crm/v3/objects/contacts/search', (req, res) => {
    const body = req.body as { filterGroups?: { filters: Filter[] }[]; properties?: string[]; limit?: number };
    const found = [...contacts.entries()].filter(([, contact]) => matches(contact.properties, body.filterGroups ?? [])).map(([id]) => id);
    res.json({ total: found.length, results: found.slice(0, body.limit ?? 10).map((id) => contactJson(id, body.properties)) });
  });
  app.get('/crm/v3/properties/contacts/:name', (req, res) => {
    if (!contactPropertyNames.has(req.params.name)) {
      error(res, 404, `Unable to find property ${req.params.name}`, 'OBJECT_NOT_FOUND');
      return;
    }
    res.json({
      name: req.params.name,
      label: req.params.name,
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
      description: '',
      options: [],
      displayOrder: -1,
      calculated: false,
      externalOptions: false,
      hasUniqueValue: false,
      hidden: false,
      formField: true,
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
      modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
    });
  });
  app.post('/crm/v3/objects/notes', (req, res) => {
    const body = req.body as { properties: Record<string, string>; associations?: { to: { id: string }; types: { associationCategory: string; associationTypeId: number }[] }[] };
    if (!body.properties?.hs_timestamp) {
      error(res, 400, 'Property values were not valid: hs_timestamp is required', 'VALIDATION_ERROR');
      return;
    }
    for (const association of body.associations ?? []) {
      const valid = association.types.every((type) => type.associationCategory === 'HUBSPOT_DEFINED' && type.associationTypeId === 202);
      if (!valid || !contacts.has(association.to.id)) {
        error(res, 400, 'One or more associations are invalid', 'VALIDATION_ERROR');
        return;
      }
    }
    const id = String(nextId++);
    const at = now();
    notes.set(id, { properties: { ...body.properties, hs_createdate: at, hs_lastmodifieddate: at }, associations: (body.associations ?? []).map((a) => a.to.id), createdAt: at, updatedAt: at });
    if (loseCreateAnswer) {
      loseCreateAnswer = false;
      req.socket.destroy();
      return;
    }
    res.status(201).json(noteJson(id, Object.keys(body.properties)));
  });
  app.get('/crm/v3/objects/notes/:id', (req, res) => {
    if (!notes.has(req.params.id)) {
      error(res, 404, 'Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND');
      return;
    }
    res.json(noteJson(req.params.id, requestedProperties(req)));
  });
  app.patch('/crm/v3/objects/notes/:id', (req, res) => {
    const note = notes.get(req.params.id);
    if (!note) {
      error(res, 404, 'Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND');
      return;
    }
    const body = req.body as { properties: Record<string, string> };
    note.updatedAt = now();
    Object.assign(note.properties, body.properties, { hs_lastmodifieddate: note.updatedAt });
    res.json(noteJson(req.params.id, Object.keys(body.properties)));
  });
  app.post('/crm/v3/objects/notes/search', (req, res) => {
    const body = req.body as { filterGroups?: { filters: Filter[] }[]; properties?: string[]; limit?: number };
    const indexedBefore = Date.now() - state.searchLagMs;
    const found = [...notes.entries()]
      .filter(([, note]) => Date.parse(note.createdAt) <= indexedBefore && matches(note.properties, body.filterGroups ?? []))
      .map(([id]) => id);
    res.json({ total: found.length, results: found.slice(0, body.limit ?? 10).map((id) => noteJson(id, body.properties)) });
  });
  app.use((req, res) => error(res, 404, `the stand-in does not implement ${req.method} ${req.path}`, 'OBJECT_NOT_FOUND'));

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    contacts,
    notes,
    contactPropertyNames,
    requests,
    get searchLagMs() {
      return state.searchLagMs;
    },
    set searchLagMs(value: number) {
      state.searchLagMs = value;
    },
    rateLimitNext: ({ count = 1, retryAfterSeconds, path }) => {
      faults = [...faults.filter((fault) => fault.count > 0), { kind: 'rate-limit', count, retryAfterSeconds, ...(path ? { path } : {}) }];
    },
    failNext: ({ status, count = 1, path }) => {
      faults = [...faults.filter((fault) => fault.count > 0), { kind: 'status', count, status, ...(path ? { path } : {}) }];
    },
    loseNextCreateAnswer: () => {
      loseCreateAnswer = true;
    },
    addContact: (properties) => {
      const id = String(nextId++);
      contacts.set(id, { properties: { ...properties, hs_object_id: id }, createdAt: now() });
      return id;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
