import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PostgresCrm } from '../../src/integrations/crm/postgres-crm';
import { freePort } from '../../src/temporal/free-port';
import { testEncryptionEnv } from '../support/encryption';
import { testDatabaseUrl } from '../support/postgres';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

/** `npm run start:worker` as its own process with this CRM configuration; resolves with its exit code and stderr. */
async function startWorker(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const { CRM_URL: _url, HUBSPOT_ACCESS_TOKEN: _token, CRM_CUSTOMER_QUERY: _query, ...inherited } = process.env;
  try {
    await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/temporal/main-worker.ts')], {
      cwd: ROOT,
      env: { ...inherited, METRICS_PORT: '0', LOG_LEVEL: 'warn', ...testEncryptionEnv(), ...env },
      timeout: 30_000,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  // Switchboard's tables exist, so the customer query is what the worker trips over.
  const crm = new PostgresCrm({ url: testDatabaseUrl(), timeoutMs: 5_000 });
  await crm.migrate();
  await crm.close();
});

describe('a worker process with a bad CRM configuration stops at start, naming the variable and the fix', () => {
  it('an unknown CRM_URL scheme', async () => {
    const { code, stderr } = await startWorker({ CRM_URL: 'mysql://root:hunter2@db/crm' });

    expect(code).toBe(1);
    expect(stderr).toContain('CRM_URL: unknown scheme "mysql:"; use postgres://, postgresql://, http://, https://, hubspot:, or leave it unset for the demo CRM');
    expect(stderr).not.toContain('hunter2');
  });

  it('a PostgreSQL host that cannot be reached', async () => {
    const port = await freePort();
    const { code, stderr } = await startWorker({ CRM_URL: `postgres://switchboard:s3cret@127.0.0.1:${port}/crm` });

    expect(code).toBe(1);
    expect(stderr).toBe(
      `worker failed: CRM_URL: cannot reach PostgreSQL at 127.0.0.1:${port}/crm (ECONNREFUSED); check the host and port in CRM_URL, or unset CRM_URL to use the demo CRM\n`,
    );
  });

  it('a customer query whose columns are not the profile’s', async () => {
    const { code, stderr } = await startWorker({
      CRM_URL: testDatabaseUrl(),
      CRM_CUSTOMER_QUERY: 'SELECT id AS customer_id, name, tier FROM switchboard_customers WHERE phone = :phone',
    });

    expect(code).toBe(1);
    expect(stderr).toContain('worker failed: CRM_CUSTOMER_QUERY: no column "id"; unknown column "customer_id"');
  });

  it('a customer query that is not a SELECT', async () => {
    const { code, stderr } = await startWorker({ CRM_URL: testDatabaseUrl(), CRM_CUSTOMER_QUERY: "UPDATE switchboard_customers SET tier = 'premium' WHERE phone = :phone" });

    expect(code).toBe(1);
    expect(stderr).toContain('worker failed: CRM_CUSTOMER_QUERY: found an UPDATE statement; expected one read-only SELECT (WITH … SELECT too) with :phone and/or :customerId');
  });

  it('hubspot: without its token', async () => {
    const { code, stderr } = await startWorker({ CRM_URL: 'hubspot:' });

    expect(code).toBe(1);
    expect(stderr).toContain('HUBSPOT_ACCESS_TOKEN: required when CRM_URL=hubspot:; set it to the access token of a HubSpot private app');
  });
});
