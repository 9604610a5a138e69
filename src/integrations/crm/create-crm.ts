import type { ContactCenter } from '../../config/contact-center';
import type { AppConfig } from '../../config/env';
import type { CrmAdapter, CrmKind } from './crm';

type CrmSettings = AppConfig['crm'];

/** What opening a CRM needs besides its settings. */
export interface CrmContext {
  /** The demo CRM's customers. */
  contactCenter: Pick<ContactCenter, 'customers'>;
  dataDir: string;
  /**
   * Where the demo CRM keeps notes: `embedded` in PGlite under DATA_DIR, served to the local CLI (`npm start`,
   * the single-process default); `memory` in this process (processes run apart without CRM_URL); `attach` to
   * the store of the `npm start` running on DATA_DIR (the operator CLI; with none, reads fail saying so).
   */
  demoNotes: 'embedded' | 'memory' | 'attach';
  /** A pooled connection broke while idle (the database restarted); it is replaced on next use. */
  onConnectionError?: (error: Error) => void;
}

interface AdapterEntry {
  /** Loads its file on demand, so a process pays only for the client it uses (pg, PGlite, HubSpot's SDK). */
  create(settings: CrmSettings, context: CrmContext): Promise<CrmAdapter>;
}

/**
 * `require`, not `import()`: the operator CLI runs these sources through tsx's CommonJS hook, which does not
 * resolve an extensionless dynamic import; a CommonJS require resolves the same everywhere (tsx, jest, tsc).
 */
const load = {
  demo: () => require('./demo-crm') as typeof import('./demo-crm'),
  embedded: () => require('./embedded-store') as typeof import('./embedded-store'),
  postgres: () => require('./postgres-crm') as typeof import('./postgres-crm'),
  http: () => require('./http-crm') as typeof import('./http-crm'),
  hubspot: () => require('./hubspot-crm') as typeof import('./hubspot-crm'),
};

/**
 * The one place adapters are registered: CRM_URL's scheme chooses the adapter. To add one, write a file
 * implementing `CrmAdapter`, add an entry here (and a kind to CRM_KINDS, its schemes to CRM_SCHEMES), and its variables to `envSchema`.
 */
const ADAPTERS: Record<CrmKind, AdapterEntry> = {
  demo: {
    async create(_settings, context) {
      const { DemoCrm } = load.demo();
      if (context.demoNotes === 'memory') return new DemoCrm(context.contactCenter);
      const { attachEmbeddedStore, openEmbeddedStore, unservedEmbeddedStore } = load.embedded();
      if (context.demoNotes === 'embedded') return new DemoCrm(context.contactCenter, await openEmbeddedStore(context.dataDir, { serve: true }));
      return new DemoCrm(context.contactCenter, attachEmbeddedStore(context.dataDir, 2_000) ?? unservedEmbeddedStore(context.dataDir));
    },
  },
  postgres: {
    async create(settings, context) {
      const { PostgresCrm } = load.postgres();
      return new PostgresCrm({
        url: settings.url!,
        timeoutMs: settings.timeoutMs,
        customerQuery: settings.postgres.customerQuery,
        ...(context.onConnectionError ? { onConnectionError: context.onConnectionError } : {}),
      });
    },
  },
  http: {
    async create(settings) {
      const { HttpCrm } = load.http();
      return new HttpCrm({ baseUrl: settings.url!, timeoutMs: settings.timeoutMs, token: settings.http.token, authHeader: settings.http.authHeader });
    },
  },
  hubspot: {
    async create(settings) {
      const { HubSpotCrm } = load.hubspot();
      return new HubSpotCrm({ ...settings.hubspot, timeoutMs: settings.timeoutMs });
    },
  },
};

/** The configured adapter, not yet checked (the operator CLI, which must work while the CRM is down). */
export function createCrm(config: Pick<AppConfig, 'crm' | 'dataDir'>, context: Omit<CrmContext, 'dataDir'>): Promise<CrmAdapter> {
  return ADAPTERS[config.crm.kind].create(config.crm, { ...context, dataDir: config.dataDir });
}

/**
 * The configured adapter, validated: every process that runs activities or serves operators opens its CRM
 * this way at start, so bad configuration (an unreachable host, a refused token, a query with the wrong
 * columns, a database without Switchboard's tables) stops it with a message naming the variable and the fix.
 */
export async function openCrm(config: Pick<AppConfig, 'crm' | 'dataDir'>, context: Omit<CrmContext, 'dataDir'>): Promise<CrmAdapter> {
  const crm = await createCrm(config, context);
  try {
    await crm.validate();
    return crm;
  } catch (error) {
    await crm.close().catch(() => undefined);
    throw error;
  }
}
