import { loadConfig } from '../../src/config/env';
import { CrmError } from '../../src/integrations/crm';
import { retryAfterMs, withBoundedRetries } from '../../src/integrations/crm/bounded-retry';
import { crmKindForScheme } from '../../src/integrations/crm/crm';
import { configError } from '../support/config';

describe('CRM configuration', () => {
  it('uses the demo CRM when CRM_URL is unset, with a per-request timeout of one second', () => {
    expect(loadConfig({}).crm).toMatchObject({ kind: 'demo', url: undefined, timeoutMs: 1_000 });
  });

  it('chooses the adapter by CRM_URL’s scheme', () => {
    expect(loadConfig({ CRM_URL: 'postgres://switchboard@db:5432/crm' }).crm.kind).toBe('postgres');
    expect(loadConfig({ CRM_URL: 'postgresql://switchboard@db/crm' }).crm.kind).toBe('postgres');
    expect(loadConfig({ CRM_URL: 'https://crm.example.com/switchboard', CRM_HTTP_TOKEN: 't' }).crm).toMatchObject({
      kind: 'http',
      http: { token: 't', authHeader: 'authorization' },
    });
    expect(loadConfig({ CRM_URL: 'hubspot:', HUBSPOT_ACCESS_TOKEN: 'pat-1' }).crm).toMatchObject({
      kind: 'hubspot',
      hubspot: {
        accessToken: 'pat-1',
        baseUrl: 'https://api.hubapi.com',
        phoneProperties: ['phone', 'mobilephone'],
        properties: { tier: 'customer_tier', language: 'hs_language', lastAgent: 'last_agent_id' },
      },
    });
    expect(crmKindForScheme('ftp:')).toBeUndefined();
  });

  it('refuses an unknown scheme, naming CRM_URL and the schemes it takes, without echoing the URL', () => {
    const message = configError({ CRM_URL: 'mysql://root:hunter2@db/crm' });

    expect(message).toBe(
      'Invalid configuration:\n  CRM_URL: unknown scheme "mysql:"; use postgres://, postgresql://, http://, https://, hubspot:, or leave it unset for the demo CRM',
    );
    expect(message).not.toContain('hunter2');
  });

  it('refuses a CRM_URL that is not a URL', () => {
    expect(configError({ CRM_URL: 'db.internal:5432' })).toMatch(/unknown scheme "db\.internal:"/);
    expect(configError({ CRM_URL: 'not a url' })).toMatch(/^Invalid configuration:\n {2}CRM_URL: not a URL; use postgres:\/\/user@host:5432\/database/);
  });

  it('requires HUBSPOT_ACCESS_TOKEN with hubspot:, and says where the token comes from', () => {
    expect(configError({ CRM_URL: 'hubspot:' })).toBe(
      'Invalid configuration:\n  HUBSPOT_ACCESS_TOKEN: required when CRM_URL=hubspot:; set it to the access token of a HubSpot private app with the crm.objects.contacts.read and crm.objects.contacts.write scopes',
    );
  });

  it('refuses CRM_CUSTOMER_QUERY without a PostgreSQL CRM_URL, and a timeout past the call budget', () => {
    expect(configError({ CRM_CUSTOMER_QUERY: 'SELECT id, name, tier FROM accounts WHERE phone = :phone' })).toMatch(
      /CRM_CUSTOMER_QUERY: only read with CRM_URL=postgres:\/\/…; point CRM_URL at that database or unset CRM_CUSTOMER_QUERY/,
    );
    expect(configError({ CRM_TIMEOUT_MS: '10000' })).toMatch(/CRM_TIMEOUT_MS: /);
  });
});

describe('bounded retries', () => {
  it('reads Retry-After in seconds and as an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 7_000)).toBe(3_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('stops at three attempts, and never retries a final failure', async () => {
    let attempts = 0;
    await expect(
      withBoundedRetries(async () => {
        attempts += 1;
        throw new CrmError('down', true);
      }, { operation: 'x', timeoutMs: 100 }),
    ).rejects.toThrow('down');
    expect(attempts).toBe(3);

    attempts = 0;
    await expect(
      withBoundedRetries(async () => {
        attempts += 1;
        throw new CrmError('refused', false);
      }, { operation: 'x', timeoutMs: 100 }),
    ).rejects.toThrow('refused');
    expect(attempts).toBe(1);
  });

  it('abandons an attempt that outlives its timeout, and the whole operation within the budget', async () => {
    const started = Date.now();
    await expect(withBoundedRetries(() => new Promise(() => undefined), { operation: 'lookup', timeoutMs: 1_500 })).rejects.toThrow(
      'lookup timed out after',
    );
    expect(Date.now() - started).toBeLessThan(2_800);
  });
});
