import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CUSTOMER_TIERS, DEFAULT_AFTER_CALL, DEFAULT_QUEUE, TRANSFER_PLAN_MODES } from '../contracts';
import type { FloorDepartment, QueueSettings, RoutingPolicy, RoutingRules, Roster } from '../contracts';
import { callDestinationSchema } from '../vapi/destinations';
import { explainIssue, schemaVocabulary } from '../vapi/suggest';

/**
 * The routing configuration: offices, caller regions, departments, lines, agents and the demo CRM. The file
 * format is the one of `config/contact-center.yaml` (kebab-case keys as operators write them); the loader
 * turns it into the camelCase {@link ContactCenter} the code uses.
 */

const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof DAY_KEYS)[number];

const timeRange = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'must look like "08:00-20:00"')
  .refine((value) => {
    const [start, end] = value.split('-') as [string, string];
    return toMinutes(start) < toMinutes(end);
  }, 'opening time must be before closing time');

const dayKey = z.string().refine((key) => expandDays(key) !== null, {
  message: `must be a day (${DAY_KEYS.join(', ')}) or a range such as "mon-fri"`,
});

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as "2026-12-25"');

const officeSchema = z
  .object({
    timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as "Europe/Berlin"'),
    hours: z.record(dayKey, timeRange),
    holidays: z.array(isoDate).default([]),
  })
  .strict();

const queueSchema = z
  .object({
    // A transfer runs at most TRANSFER_RUN_TIMEOUT (2 hours): a caller never waits past half of it.
    'max-wait-seconds': z.number().int().min(10).max(3_600).default(DEFAULT_QUEUE.maxWaitSeconds),
    'max-waiting': z.number().int().min(1).max(100_000).default(DEFAULT_QUEUE.maxWaiting),
    'update-every-seconds': z.number().int().min(10).max(3_600).default(DEFAULT_QUEUE.updateEverySeconds),
    'service-level-seconds': z.number().int().min(1).max(86_400).default(DEFAULT_QUEUE.serviceLevelSeconds),
    'priority-aging-seconds': z.number().int().min(1).max(86_400).default(DEFAULT_QUEUE.priorityAgingSeconds),
    callbacks: z.boolean().default(DEFAULT_QUEUE.callbacks),
    'callback-attempts': z.number().int().min(1).max(10).default(DEFAULT_QUEUE.callbackAttempts),
    'callback-spacing-seconds': z.number().int().min(60).max(86_400).default(DEFAULT_QUEUE.callbackSpacingSeconds),
    relax: z
      .array(z.object({ 'after-seconds': z.number().int().min(1).max(86_400), drop: z.enum(['seniority', 'language']) }).strict())
      .default([])
      .refine((steps) => steps.every((step, index) => index === 0 || step['after-seconds'] > steps[index - 1]!['after-seconds']), 'relax steps must come in order of after-seconds'),
  })
  .strict();

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');

const agentSchema = z
  .object({
    id: idSchema,
    name: z.string().min(1),
    office: z.string(),
    skills: z.array(z.string()).min(1),
    languages: z.array(z.string().min(2)).min(1),
    tier: z.enum(['junior', 'senior']),
    maxConcurrent: z.number().int().min(1),
    destination: callDestinationSchema,
  })
  .strict();

const customerSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as "+12025550100"'),
    tier: z.enum(CUSTOMER_TIERS),
    language: z.string().min(2).optional(),
    office: z.string().optional(),
    lastAgent: z.string().optional(),
    escalations90d: z.number().int().min(0).default(0),
  })
  .strict();

export const contactCenterFileSchema = z
  .object({
    offices: z.record(idSchema, officeSchema),
    'caller-regions': z
      .object({
        'us-west-area-codes': z.array(z.string().regex(/^\d{3}$/)).default([]),
        'country-codes': z.record(z.string().regex(/^\d{1,3}$/), z.string()),
      })
      .strict(),
    departments: z.record(
      idSchema,
      z
        .object({
          aliases: z.array(z.string().min(1)).default([]),
          line: callDestinationSchema,
          'after-call-seconds': z.number().int().min(0).max(86_400).default(DEFAULT_AFTER_CALL.afterCallSeconds),
          'wrap-up-seconds': z.number().int().min(0).max(86_400).default(DEFAULT_AFTER_CALL.wrapUpSeconds),
          queue: queueSchema.optional(),
        })
        .strict(),
    ),
    lines: z
      .object({ general: callDestinationSchema, 'enterprise-24x7': callDestinationSchema, 'after-hours-voicemail': callDestinationSchema })
      .catchall(callDestinationSchema),
    agents: z.array(agentSchema),
    'transfer-modes': z
      .object({
        enterprise: z.enum(TRANSFER_PLAN_MODES),
        premium: z.enum(TRANSFER_PLAN_MODES),
        standard: z.enum(TRANSFER_PLAN_MODES),
        'standard-needs-senior': z.enum(TRANSFER_PLAN_MODES),
      })
      .partial()
      .strict()
      .default({}),
    customers: z.array(customerSchema).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    const offices = new Set(Object.keys(file.offices));
    const departments = new Set(Object.keys(file.departments));
    const agentIds = new Set<string>();
    file.agents.forEach((agent, index) => {
      if (agentIds.has(agent.id)) ctx.addIssue({ code: 'custom', path: ['agents', index, 'id'], message: `duplicate agent id "${agent.id}"` });
      agentIds.add(agent.id);
      if (!offices.has(agent.office)) {
        ctx.addIssue({ code: 'custom', path: ['agents', index, 'office'], message: `unknown office "${agent.office}"` });
      }
      agent.skills.forEach((skill, skillIndex) => {
        if (!departments.has(skill)) {
          ctx.addIssue({ code: 'custom', path: ['agents', index, 'skills', skillIndex], message: `unknown department "${skill}"` });
        }
      });
    });
    Object.entries(file['caller-regions']['country-codes']).forEach(([code, office]) => {
      if (!offices.has(office)) {
        ctx.addIssue({ code: 'custom', path: ['caller-regions', 'country-codes', code], message: `unknown office "${office}"` });
      }
    });
    file.customers.forEach((customer, index) => {
      if (customer.office && !offices.has(customer.office)) {
        ctx.addIssue({ code: 'custom', path: ['customers', index, 'office'], message: `unknown office "${customer.office}"` });
      }
      if (customer.lastAgent && !agentIds.has(customer.lastAgent)) {
        ctx.addIssue({ code: 'custom', path: ['customers', index, 'lastAgent'], message: `unknown agent "${customer.lastAgent}"` });
      }
    });
  });

export type ContactCenterFile = z.output<typeof contactCenterFileSchema>;

/** What a misspelt key in a routing file is compared with: the routing file's own keys at that place. */
const ROUTING_FILE_VOCABULARY = schemaVocabulary(contactCenterFileSchema);

export interface OpeningHours {
  /** Minutes after local midnight; `end` exclusive. */
  start: number;
  end: number;
}

export interface Office {
  id: string;
  timezone: string;
  hours: Partial<Record<Weekday, OpeningHours>>;
  holidays: string[];
}

export type Department = {
  id: string;
  aliases: string[];
  line: ContactCenterFile['departments'][string]['line'];
  afterCallSeconds: number;
  wrapUpSeconds: number;
  queue?: QueueSettings;
};
export type Agent = ContactCenterFile['agents'][number];
export type Customer = ContactCenterFile['customers'][number];

export interface ContactCenter {
  /** A digest of the routing file's content: transfers record it, the floor's roster carries it. */
  version: string;
  offices: Office[];
  callerRegions: { usWestAreaCodes: string[]; countryCodes: Record<string, string> };
  /** In file order: routing rule 1 picks the first department whose alias matches. */
  departments: Department[];
  lines: ContactCenterFile['lines'];
  agents: Agent[];
  transferModes: RoutingPolicy['transferModes'];
  customers: Customer[];
}

export class RoutingConfigError extends Error {
  override readonly name = 'RoutingConfigError';
}

/** Rule 6 as the routing rules state it; a routing file's `transfer-modes` overrides any of them. */
export const DEFAULT_TRANSFER_MODES: RoutingPolicy['transferModes'] = {
  enterprise: 'warm-transfer-say-summary',
  premium: 'warm-transfer-say-message',
  standard: 'blind-transfer',
  'standard-needs-senior': 'warm-transfer-say-message',
};

/** Validates parsed YAML; errors name the file, the path inside it and the problem. */
export function parseContactCenter(raw: unknown, source = '(inline)', text = JSON.stringify(raw)): ContactCenter {
  const parsed = contactCenterFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${source}: ${formatPath(issue.path)}: ${explainIssue(issue, ROUTING_FILE_VOCABULARY)}`);
    throw new RoutingConfigError(`Invalid routing configuration:\n${lines.join('\n')}`);
  }
  const file = parsed.data;
  return {
    version: createHash('sha256').update(text).digest('hex').slice(0, 12),
    offices: Object.entries(file.offices).map(([id, office]) => ({
      id,
      timezone: office.timezone,
      hours: expandHours(office.hours),
      holidays: office.holidays,
    })),
    callerRegions: {
      usWestAreaCodes: file['caller-regions']['us-west-area-codes'],
      countryCodes: file['caller-regions']['country-codes'],
    },
    departments: Object.entries(file.departments).map(([id, department]) => ({
      id,
      aliases: department.aliases,
      line: department.line,
      afterCallSeconds: department['after-call-seconds'],
      wrapUpSeconds: department['wrap-up-seconds'],
      ...(department.queue ? { queue: queueOf(department.queue) } : {}),
    })),
    lines: file.lines,
    agents: file.agents,
    transferModes: { ...DEFAULT_TRANSFER_MODES, ...file['transfer-modes'] },
    customers: file.customers,
  };
}

export function loadContactCenter(filePath: string): ContactCenter {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    throw new RoutingConfigError(`Cannot read routing configuration ${filePath}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return parseContactCenterText(text, filePath);
}

/** A routing file's YAML text, validated as {@link loadContactCenter} does; `source` names it in errors. */
export function parseContactCenterText(text: string, source: string): ContactCenter {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new RoutingConfigError(`Invalid routing configuration:\n  ${source}: ${(error as Error).message}`);
  }
  return parseContactCenter(raw, source, text);
}

function formatPath(pathItems: PropertyKey[]): string {
  if (pathItems.length === 0) return '(root)';
  return pathItems
    .map((item, index) => (typeof item === 'number' ? `[${item}]` : `${index === 0 ? '' : '.'}${String(item)}`))
    .join('');
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

function expandDays(key: string): Weekday[] | null {
  const parts = key.toLowerCase().split('-');
  const indexes = parts.map((part) => DAY_KEYS.indexOf(part as Weekday));
  if (indexes.some((index) => index < 0)) return null;
  if (indexes.length === 1) return [DAY_KEYS[indexes[0]!]!];
  if (indexes.length === 2 && indexes[0]! <= indexes[1]!) return DAY_KEYS.slice(indexes[0]!, indexes[1]! + 1);
  return null;
}

function expandHours(hours: Record<string, string>): Partial<Record<Weekday, OpeningHours>> {
  const result: Partial<Record<Weekday, OpeningHours>> = {};
  for (const [key, range] of Object.entries(hours)) {
    const [start, end] = range.split('-') as [string, string];
    for (const day of expandDays(key) ?? []) result[day] = { start: toMinutes(start), end: toMinutes(end) };
  }
  return result;
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The whole routing configuration without the demo customers: what dry runs, the diff and 1.0 transfers read. */
export function routingPolicyOf(center: ContactCenter): RoutingPolicy {
  return { ...routingRulesOf(center), agents: center.agents };
}

/** Rules 1-7's part of the file (no agents): small at any size, so a transfer records it whole. */
export function routingRulesOf(center: ContactCenter): RoutingRules {
  const { offices, callerRegions, lines, transferModes } = center;
  return { offices, callerRegions, departments: center.departments.map(({ id, aliases, line, queue }) => ({ id, aliases, line, ...(queue ? { queue } : {}) })), lines, transferModes };
}

/** What the floor needs of the file: the agents as routing ranks them, and each department's after-call times. */
export function rosterOf(center: ContactCenter): Roster {
  return {
    version: center.version,
    agents: center.agents.map(({ id, office, skills, languages, tier, maxConcurrent }) => ({ id, office, skills, languages, tier, maxConcurrent })),
    departments: center.departments.map(({ id, afterCallSeconds, wrapUpSeconds, queue }): FloorDepartment => ({ id, afterCallSeconds, wrapUpSeconds, ...(queue ? { queue } : {}) })),
  };
}

function queueOf(queue: z.output<typeof queueSchema>): QueueSettings {
  return {
    maxWaitSeconds: queue['max-wait-seconds'],
    maxWaiting: queue['max-waiting'],
    updateEverySeconds: queue['update-every-seconds'],
    serviceLevelSeconds: queue['service-level-seconds'],
    priorityAgingSeconds: queue['priority-aging-seconds'],
    callbacks: queue.callbacks,
    callbackAttempts: queue['callback-attempts'],
    callbackSpacingSeconds: queue['callback-spacing-seconds'],
    relax: queue.relax.map((step) => ({ afterSeconds: step['after-seconds'], drop: step.drop })),
  };
}
