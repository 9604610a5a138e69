import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/env';
import { temporalTarget, tlsOptions } from '../../src/temporal/connection';

describe('connecting to a real cluster', () => {
  it('uses the embedded dev server without TEMPORAL_ADDRESS, and no TLS', () => {
    const config = loadConfig({});
    expect(temporalTarget(config)).toEqual({ address: '127.0.0.1:7233', namespace: 'default', addressSetBy: 'DEV_SERVER_PORT' });
  });

  it('turns TLS on for a Temporal Cloud API key, as Temporal’s own tools do', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'acme.a1b2c', TEMPORAL_API_KEY: 'key-123' });
    expect(temporalTarget(config)).toEqual({ address: 'eu-west-1.aws.api.temporal.io:7233', namespace: 'acme.a1b2c', apiKey: 'key-123', tls: {}, addressSetBy: 'TEMPORAL_ADDRESS' });
  });

  it('reads mTLS certificate, key and CA from the TEMPORAL_TLS_* paths', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tls-'));
    for (const name of ['client.pem', 'client.key', 'ca.pem']) writeFileSync(path.join(dir, name), `-----${name}-----`);
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const tls = tlsOptions(config.temporal.tls)!;
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe('-----client.pem-----');
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe('-----client.key-----');
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe('-----ca.pem-----');
    expect(tls.serverNameOverride).toBe('temporal.internal');
  });

  it('refuses a certificate without its key, and TEMPORAL_TLS=false keeps TLS off', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/tmp/only-cert.pem' })).toThrow(ConfigError);
    expect(loadConfig({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }).temporal.tls).toBeUndefined();
    expect(loadConfig({ TEMPORAL_TLS: 'true' }).temporal.tls).toEqual({});
  });

  it('names the unreadable file without printing its contents', () => {
    expect(() => tlsOptions({ serverCa: { path: '/nonexistent/ca.pem' } })).toThrow(/server CA certificate at \/nonexistent\/ca.pem: ENOENT/);
  });
});
