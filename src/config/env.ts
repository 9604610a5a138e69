import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { TRANSFER_TASK_QUEUE } from '../contracts';
import { CRM_URL_SCHEMES, crmKindForScheme } from '../integrations/crm/crm';
import type { CrmKind } from '../integrations/crm/crm';
import type { WebhookAuthConfig } from '../vapi/webhook-auth';
import { PROJECT_ROOT } from './paths';

const port = z.coerce.number().int().min(0).max(65535);
const csv = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));
const optionalNonEmpty = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** Express's names for address ranges (`trust proxy`). */
const TRUST_PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, a CIDR (`10.0.0.0/8`, `fd00::/8`), an IPv4 address with a netmask, or one of Express's range names. */
function isProxyAddress(entry: string): boolean {
  if (TRUST_PROXY_RANGES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (/^\d{1,3}$/.test(prefix)) return Number(prefix) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(prefix) === 4;
}

/**
 * Express's `trust proxy`: unset or `false` (the client is the peer), `true` (the left-most X-Forwarded-For
 * address, whoever sent it), a hop count, or the proxies' addresses and CIDRs.
 */
const trustProxySchema = z
  .string()
  .optional()
  .transform((raw, ctx): boolean | number | string[] => {
    const value = raw?.trim() ?? '';
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    const wrong = entries.filter((entry) => !isProxyAddress(entry));
    if (wrong.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message:
          `not an address, CIDR or ${TRUST_PROXY_RANGES.join('/')}: ${wrong.join(', ')}; ` +
          'use the number of proxies in front of Switchboard (1 behind one load balancer), their addresses or CIDRs separated by commas, true, or false',
      });
      return z.NEVER;
    }
    return entries;
  });

/**
 * The whole environment of every Switchboard process, validated once at start. Each key is documented in the
 * README's configuration table.
 */
export const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Set: use that cluster and start no dev server. Unset: `npm start` runs the embedded dev server. */
  TEMPORAL_ADDRESS: optionalNonEmpty,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /**
   * Real clusters, with the names Temporal's own CLI and SDK env config use. An API key (Temporal Cloud) or
   * any certificate turns TLS on; TEMPORAL_TLS=true turns it on with the system's roots alone.
   */
  TEMPORAL_API_KEY: optionalNonEmpty,
  TEMPORAL_TLS: z.enum(['true', 'false', '1', '0']).optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalNonEmpty,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalNonEmpty,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalNonEmpty,
  TEMPORAL_TLS_CLIENT_CERT_DATA: optionalNonEmpty,
  TEMPORAL_TLS_CLIENT_KEY_DATA: optionalNonEmpty,
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: optionalNonEmpty,
  TEMPORAL_TLS_SERVER_NAME: optionalNonEmpty,
  /**
   * `keyId:base64key,...` (32-byte AES keys): set, every payload (inputs, results, memos, summaries, failure
   * details) is AES-256-GCM encrypted. The first key encrypts; all of them decrypt, so keys can rotate.
   */
  PAYLOAD_ENCRYPTION_KEYS: optionalNonEmpty,
  /**
   * `on` (default): payloads are encrypted, with PAYLOAD_ENCRYPTION_KEYS or, under `npm start` on its own dev
   * server, a key file it makes in DATA_DIR; processes started apart refuse to start without keys. `off`:
   * plaintext, said out loud.
   */
  PAYLOAD_ENCRYPTION: z.enum(['on', 'off']).default('on'),
  /** Browser origins allowed to call the codec endpoint (the Temporal Web UI's origin). */
  CODEC_CORS_ORIGINS: csv.optional(),
  /** Port of a worker-only process's `/metrics`; the API serves `/metrics` on PORT. 0 picks a free port. */
  METRICS_PORT: port.default(9464),
  /**
   * Workers and the API started while Temporal is unreachable keep trying (capped backoff) and never exit for
   * it; set this to exit non-zero after that many seconds instead (for supervisors that restart on exit).
   * Unset or 0: wait as long as it takes.
   */
  TEMPORAL_CONNECT_DEADLINE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(0),
  /**
   * Base URL of the Temporal Web UI operators use (e.g. https://temporal.example.com), for the links the API
   * hands the simulator. `npm start` sets it to its embedded UI.
   */
  TEMPORAL_UI_URL: z.string().url().optional(),
  /** How long a webhook keeps trying to start a workflow while Temporal is unreachable before answering 503. */
  WEBHOOK_START_DEADLINE_MS: z.coerce.number().int().min(100).max(15_000).default(8_000),
  /** On SIGTERM: how long in-flight activities may run before the worker gives up on them. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(TRANSFER_TASK_QUEUE),
  DEV_SERVER_PORT: port.default(7233),
  DEV_UI_PORT: port.default(8233),
  DATA_DIR: z.string().min(1).default('.data'),
  ADMIN_TOKEN: optionalNonEmpty,
  /**
   * Hosts a controlUrl may point at: exact hosts (`a.vapi.ai`), wildcard suffixes (`*.vapi.ai`), optional
   * `:port`. Only https, except for loopback hosts listed by name (`127.0.0.1`, `localhost`, `[::1]`).
   */
  CONTROL_URL_ALLOWED_HOSTS: csv.optional(),
  /** How webhooks prove they come from Vapi. Unset is refused by `start:api`; `npm start` then uses `none` and warns. */
  VAPI_WEBHOOK_AUTH: z.enum(['none', 'bearer', 'hmac']).optional(),
  VAPI_WEBHOOK_SECRET: optionalNonEmpty,
  /** bearer: the header carrying the secret; `authorization` expects `Bearer <secret>`, any other the raw secret. */
  VAPI_WEBHOOK_AUTH_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/).default('authorization'),
  VAPI_WEBHOOK_HMAC_ALGORITHM: z.enum(['sha256', 'sha512', 'sha1']).default('sha256'),
  VAPI_WEBHOOK_HMAC_ENCODING: z.enum(['hex', 'base64']).default('hex'),
  VAPI_WEBHOOK_HMAC_SIGNATURE_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/).default('x-signature'),
  VAPI_WEBHOOK_HMAC_TIMESTAMP_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/).default('x-timestamp'),
  VAPI_WEBHOOK_HMAC_SIGNATURE_PREFIX: z.string().default(''),
  VAPI_WEBHOOK_MAX_SKEW_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /** Vapi private API key: lets workers ask Vapi where a call stands before falling back (optional). */
  VAPI_API_KEY: optionalNonEmpty,
  VAPI_BASE_URL: z.string().url().default('https://api.vapi.ai'),
  /**
   * The Vapi phone number (its id in Vapi) that calls back callers who asked for it instead of waiting in line.
   * Callbacks are offered only when this and VAPI_API_KEY are both set.
   */
  VAPI_PHONE_NUMBER_ID: optionalNonEmpty,
  /** Names of the custom tools that mean "transfer this call". */
  TRANSFER_TOOL_NAMES: csv.default(['transfer_call']),
  /** How long a transfer waits for Vapi to report its outcome (forwarded, not connected) before recording it unconfirmed. */
  TRANSFER_OUTCOME_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  /**
   * Silence after a transfer (or after a transfer attempt of unknown fate) this long before Switchboard asks
   * Vapi's API whether the caller is still with the assistant (needs VAPI_API_KEY).
   */
  TRANSFER_FALLBACK_CHECK_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /**
   * How long a warm transfer may ring before Vapi's silence means the caller is back with the assistant (a transfer
   * plan's own dial timeout wins); until then no fallback fires and no doubtful POST is sent again.
   */
  TRANSFER_WARM_DIAL_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
  /** Deadline for answering a transfer-destination-request (Vapi's own webhook timeout is 20 s). */
  DESTINATION_REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).max(15_000).default(5_000),
  /** Webhook requests per minute from one client address before 429. */
  WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  /** Authenticated webhook requests per minute about one Vapi call before 429: one call cannot crowd out the others. */
  WEBHOOK_RATE_LIMIT_PER_CALL_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** Which proxies in front of the API to believe about the client's address (X-Forwarded-For). */
  TRUST_PROXY: trustProxySchema,
  /** Routing configuration (YAML); defaults to the embedded demo contact center. */
  ROUTING_CONFIG: optionalNonEmpty,
  /** A workflow bundle built by `npm run build:workflow-bundle`; unset, workers bundle src/workflows at start. */
  WORKFLOW_BUNDLE_PATH: optionalNonEmpty,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * The CRM customers come from and summary notes go to; its scheme chooses the adapter. Unset: the demo CRM
   * (customers from ROUTING_CONFIG). May carry credentials: never logged or echoed.
   */
  CRM_URL: optionalNonEmpty,
  /** Per CRM request; an operation and its retries together stay within 2.5 s (the workflow allows the CRM 3 s). */
  CRM_TIMEOUT_MS: z.coerce.number().int().min(50).max(2_500).default(1_000),
  /** PostgreSQL: the team's read-only customer query (named parameters :customerId, :phone); unset, Switchboard's own table. */
  CRM_CUSTOMER_QUERY: optionalNonEmpty,
  /** HTTP CRM: the token, sent as `Authorization: Bearer …`, or raw in CRM_HTTP_AUTH_HEADER. */
  CRM_HTTP_TOKEN: optionalNonEmpty,
  CRM_HTTP_AUTH_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/).default('authorization'),
  /** HubSpot: a private app's access token (scopes crm.objects.contacts.read and .write). */
  HUBSPOT_ACCESS_TOKEN: optionalNonEmpty,
  HUBSPOT_BASE_URL: z.string().url().default('https://api.hubapi.com'),
  /** HubSpot contact properties searched for the caller's E.164 number, and those routing reads. */
  HUBSPOT_PHONE_PROPERTIES: csv.default(['phone', 'mobilephone']),
  HUBSPOT_TIER_PROPERTY: z.string().trim().min(1).default('customer_tier'),
  HUBSPOT_LANGUAGE_PROPERTY: z.string().trim().min(1).default('hs_language'),
  HUBSPOT_LAST_AGENT_PROPERTY: z.string().trim().min(1).default('last_agent_id'),
  HUBSPOT_OFFICE_PROPERTY: optionalNonEmpty,
  HUBSPOT_ESCALATIONS_PROPERTY: optionalNonEmpty,
});

export type EnvInput = z.input<typeof envSchema>;

export const DEFAULT_CONTROL_URL_ALLOWED_HOSTS = ['*.vapi.ai'];
export const DEFAULT_ROUTING_CONFIG = path.join(PROJECT_ROOT, 'config', 'contact-center.yaml');

type Env = z.output<typeof envSchema>;

/** PEM material as file paths or inline data (never logged); absent parts use the system defaults. */
function pem(pathValue: string | undefined, data: string | undefined): { path: string } | { data: string } | undefined {
  if (data) return { data };
  return pathValue ? { path: path.resolve(pathValue) } : undefined;
}

function temporalTls(e: Env) {
  const clientCert = pem(e.TEMPORAL_TLS_CLIENT_CERT_PATH, e.TEMPORAL_TLS_CLIENT_CERT_DATA);
  const clientKey = pem(e.TEMPORAL_TLS_CLIENT_KEY_PATH, e.TEMPORAL_TLS_CLIENT_KEY_DATA);
  const serverCa = pem(e.TEMPORAL_TLS_SERVER_CA_CERT_PATH, e.TEMPORAL_TLS_SERVER_CA_CERT_DATA);
  const wanted =
    e.TEMPORAL_TLS === 'true' || e.TEMPORAL_TLS === '1' || (e.TEMPORAL_TLS === undefined && Boolean(e.TEMPORAL_API_KEY || clientCert || serverCa));
  if (!wanted) return undefined;
  return {
    ...(clientCert ? { clientCert } : {}),
    ...(clientKey ? { clientKey } : {}),
    ...(serverCa ? { serverCa } : {}),
    ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
  };
}

/** Null when VAPI_WEBHOOK_AUTH is unset: each entry point decides whether that is acceptable. */
function webhookAuth(e: Env): WebhookAuthConfig | null {
  const secret = e.VAPI_WEBHOOK_SECRET ?? '';
  switch (e.VAPI_WEBHOOK_AUTH) {
    case undefined:
      return null;
    case 'none':
      return { mode: 'none' };
    case 'bearer':
      return { mode: 'bearer', secret, headerName: e.VAPI_WEBHOOK_AUTH_HEADER };
    case 'hmac':
      return {
        mode: 'hmac',
        secret,
        algorithm: e.VAPI_WEBHOOK_HMAC_ALGORITHM,
        encoding: e.VAPI_WEBHOOK_HMAC_ENCODING,
        signatureHeader: e.VAPI_WEBHOOK_HMAC_SIGNATURE_HEADER,
        timestampHeader: e.VAPI_WEBHOOK_HMAC_TIMESTAMP_HEADER,
        signaturePrefix: e.VAPI_WEBHOOK_HMAC_SIGNATURE_PREFIX,
        maxSkewSeconds: e.VAPI_WEBHOOK_MAX_SKEW_SECONDS,
      };
  }
}

/** CRM_URL's scheme (`postgres:`; undefined when it is not a URL) and the adapter serving it (undefined: none). */
function crmUrlKind(url: string | undefined): { scheme: string | undefined; kind: CrmKind | undefined } {
  if (url === undefined) return { scheme: undefined, kind: undefined };
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    return { scheme: undefined, kind: undefined };
  }
  return { scheme, kind: crmKindForScheme(scheme) };
}

function crmConfig(e: Env) {
  return {
    /** Which adapter; `demo` when CRM_URL is unset (an unknown scheme never gets here: the schema refuses it). */
    kind: crmUrlKind(e.CRM_URL).kind ?? ('demo' as const),
    url: e.CRM_URL,
    timeoutMs: e.CRM_TIMEOUT_MS,
    postgres: { customerQuery: e.CRM_CUSTOMER_QUERY },
    http: { token: e.CRM_HTTP_TOKEN, authHeader: e.CRM_HTTP_AUTH_HEADER.toLowerCase() },
    hubspot: {
      accessToken: e.HUBSPOT_ACCESS_TOKEN ?? '',
      baseUrl: e.HUBSPOT_BASE_URL,
      phoneProperties: e.HUBSPOT_PHONE_PROPERTIES,
      properties: {
        tier: e.HUBSPOT_TIER_PROPERTY,
        language: e.HUBSPOT_LANGUAGE_PROPERTY,
        lastAgent: e.HUBSPOT_LAST_AGENT_PROPERTY,
        office: e.HUBSPOT_OFFICE_PROPERTY,
        escalations: e.HUBSPOT_ESCALATIONS_PROPERTY,
      },
    },
  };
}

/**
 * The environment turned into the configuration every process is handed: the one schema above, its
 * cross-variable rules, and the shape the code reads. {@link AppConfig} is derived from it.
 */
export const configSchema = envSchema
  .superRefine((e, ctx) => {
    if (e.VAPI_WEBHOOK_AUTH && e.VAPI_WEBHOOK_AUTH !== 'none' && !e.VAPI_WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['VAPI_WEBHOOK_SECRET'], message: `required when VAPI_WEBHOOK_AUTH=${e.VAPI_WEBHOOK_AUTH}` });
    }
    if (e.PAYLOAD_ENCRYPTION === 'off' && e.PAYLOAD_ENCRYPTION_KEYS) {
      ctx.addIssue({ code: 'custom', path: ['PAYLOAD_ENCRYPTION'], message: 'off contradicts PAYLOAD_ENCRYPTION_KEYS, which is set; unset one of them' });
    }
    const cert = Boolean(e.TEMPORAL_TLS_CLIENT_CERT_PATH || e.TEMPORAL_TLS_CLIENT_CERT_DATA);
    const key = Boolean(e.TEMPORAL_TLS_CLIENT_KEY_PATH || e.TEMPORAL_TLS_CLIENT_KEY_DATA);
    if (cert !== key) {
      ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_CLIENT_CERT_PATH / TEMPORAL_TLS_CLIENT_KEY_PATH'], message: 'set both or neither' });
    }
    // Never echo CRM_URL: it may carry a password. The scheme alone says what went wrong.
    const schemes = `${CRM_URL_SCHEMES.map((scheme) => (scheme === 'hubspot:' ? scheme : `${scheme}//`)).join(', ')}, or leave it unset for the demo CRM`;
    const { scheme, kind } = crmUrlKind(e.CRM_URL);
    if (e.CRM_URL !== undefined && scheme === undefined) {
      ctx.addIssue({ code: 'custom', path: ['CRM_URL'], message: `not a URL; use postgres://user@host:5432/database, https://crm.example.com/switchboard or hubspot: (${schemes})` });
    } else if (scheme !== undefined && kind === undefined) {
      ctx.addIssue({ code: 'custom', path: ['CRM_URL'], message: `unknown scheme "${scheme}"; use ${schemes}` });
    }
    if (kind === 'hubspot' && !e.HUBSPOT_ACCESS_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['HUBSPOT_ACCESS_TOKEN'],
        message: 'required when CRM_URL=hubspot:; set it to the access token of a HubSpot private app with the crm.objects.contacts.read and crm.objects.contacts.write scopes',
      });
    }
    if (e.CRM_CUSTOMER_QUERY && kind !== 'postgres') {
      ctx.addIssue({ code: 'custom', path: ['CRM_CUSTOMER_QUERY'], message: 'only read with CRM_URL=postgres://…; point CRM_URL at that database or unset CRM_CUSTOMER_QUERY' });
    }
  })
  .transform((e) => ({
    port: e.PORT,
    host: e.HOST,
    temporal: {
      /** Undefined means "embedded dev server". */
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY,
      tls: temporalTls(e),
    },
    /** Raw `PAYLOAD_ENCRYPTION_KEYS`; parsed (and checked) by the codec. Each entry point settles it (payload-encryption.ts). */
    payloadEncryptionKeys: e.PAYLOAD_ENCRYPTION_KEYS,
    payloadEncryption: e.PAYLOAD_ENCRYPTION,
    codecCorsOrigins: e.CODEC_CORS_ORIGINS ?? [],
    metricsPort: e.METRICS_PORT,
    /** Seconds before a process gives up waiting for Temporal at start; 0 waits forever. */
    connectDeadlineSeconds: e.TEMPORAL_CONNECT_DEADLINE_SECONDS,
    temporalUiUrl: e.TEMPORAL_UI_URL?.replace(/\/+$/, ''),
    startDeadlineMs: e.WEBHOOK_START_DEADLINE_MS,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    devServer: { port: e.DEV_SERVER_PORT, uiPort: e.DEV_UI_PORT },
    dataDir: path.resolve(e.DATA_DIR),
    adminToken: e.ADMIN_TOKEN,
    controlUrlAllowedHosts: e.CONTROL_URL_ALLOWED_HOSTS ?? DEFAULT_CONTROL_URL_ALLOWED_HOSTS,
    /** True when CONTROL_URL_ALLOWED_HOSTS was not set and the default applies. */
    controlUrlAllowedHostsDefaulted: e.CONTROL_URL_ALLOWED_HOSTS === undefined,
    webhookAuth: webhookAuth(e),
    transferToolNames: e.TRANSFER_TOOL_NAMES,
    /** Carried in every transfer request: how long a transfer waits for Vapi at each point. */
    transferTimings: { outcomeTimeoutSeconds: e.TRANSFER_OUTCOME_TIMEOUT_SECONDS, fallbackCheckSeconds: e.TRANSFER_FALLBACK_CHECK_SECONDS, warmDialSeconds: e.TRANSFER_WARM_DIAL_SECONDS },
    destinationDeadlineMs: e.DESTINATION_REQUEST_DEADLINE_MS,
    rateLimitPerMinute: e.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    rateLimitPerCallPerMinute: e.WEBHOOK_RATE_LIMIT_PER_CALL_PER_MINUTE,
    trustProxy: e.TRUST_PROXY,
    vapiApiKey: e.VAPI_API_KEY,
    vapiBaseUrl: e.VAPI_BASE_URL,
    vapiPhoneNumberId: e.VAPI_PHONE_NUMBER_ID,
    routingConfigPath: e.ROUTING_CONFIG ? path.resolve(e.ROUTING_CONFIG) : DEFAULT_ROUTING_CONFIG,
    logLevel: e.LOG_LEVEL,
    workflowBundlePath: e.WORKFLOW_BUNDLE_PATH ? path.resolve(e.WORKFLOW_BUNDLE_PATH) : undefined,
    crm: crmConfig(e),
  }));

export type AppConfig = z.output<typeof configSchema>;
export type TemporalTlsConfig = NonNullable<AppConfig['temporal']['tls']>;

/**
 * Why callers waiting in line are not offered callbacks (the API's `TransferRequest.callbacks`), naming the
 * variables to set; null when they are (a callback is placed through Vapi's API from this phone number).
 */
export function callbacksOffReason(config: Pick<AppConfig, 'vapiApiKey' | 'vapiPhoneNumberId'>): string | null {
  const missing = [config.vapiApiKey ? null : 'VAPI_API_KEY', config.vapiPhoneNumberId ? null : 'VAPI_PHONE_NUMBER_ID'].filter((name) => name !== null);
  if (missing.length === 0) return null;
  return `callbacks are off: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} unset; set VAPI_API_KEY and VAPI_PHONE_NUMBER_ID (the Vapi phone number that calls back) to offer callers waiting in line a call back`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses and validates the environment. Throws {@link ConfigError} naming every offending variable; never
 * includes values in the message, since some are secrets.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<AppConfig> {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}
