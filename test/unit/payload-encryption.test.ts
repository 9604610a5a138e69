import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/env';
import {
  LOCAL_KEY_FILE,
  PayloadEncryptionRequiredError,
  embeddedPayloadEncryption,
  requiredPayloadEncryption,
  toolEncryptionKeys,
} from '../../src/temporal/payload-encryption';
import { configError } from '../support/config';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The configuration of a process with this environment, DATA_DIR a fresh folder. */
function configWith(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-keys-'));
  dirs.push(dataDir);
  return loadConfig({ DATA_DIR: dataDir, ...env });
}

const KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;

describe('payload encryption, settled per process', () => {
  it('npm start on its own dev server makes a key file in DATA_DIR once (0600) and reuses it; PAYLOAD_ENCRYPTION_KEYS wins when set', () => {
    const config = configWith();

    const first = embeddedPayloadEncryption(config);
    const again = embeddedPayloadEncryption(config);

    const keyFile = path.join(config.dataDir, LOCAL_KEY_FILE);
    expect(first).toMatchObject({ mode: 'keys', source: 'key-file', keyFile, created: true });
    expect(again).toMatchObject({ mode: 'keys', source: 'key-file', keyFile, created: false });
    expect(again.mode === 'keys' && again.keys).toBe(first.mode === 'keys' && first.keys);
    expect(readFileSync(keyFile, 'utf8')).toBe(`${first.mode === 'keys' ? first.keys : ''}\n`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(embeddedPayloadEncryption({ ...config, payloadEncryptionKeys: KEYS })).toEqual({ mode: 'keys', keys: KEYS, source: 'PAYLOAD_ENCRYPTION_KEYS' });
  });

  it('npm start against a cluster, start:worker and start:api need keys or PAYLOAD_ENCRYPTION=off, and make no key file', () => {
    const cluster = configWith({ TEMPORAL_ADDRESS: 'temporal.internal:7233' });

    expect(() => embeddedPayloadEncryption(cluster)).toThrow(PayloadEncryptionRequiredError);
    expect(() => requiredPayloadEncryption(configWith())).toThrow(/PAYLOAD_ENCRYPTION_KEYS is not set.*openssl rand -base64 32.*PAYLOAD_ENCRYPTION=off/);
    expect(requiredPayloadEncryption(configWith({ PAYLOAD_ENCRYPTION: 'off' }))).toEqual({ mode: 'off' });
    expect(requiredPayloadEncryption(configWith({ PAYLOAD_ENCRYPTION_KEYS: KEYS }))).toMatchObject({ mode: 'keys', keys: KEYS });
    expect(() => statSync(path.join(cluster.dataDir, LOCAL_KEY_FILE))).toThrow(/ENOENT/);
  });

  it('tools read npm start’s key file only for the local dev server, and only when PAYLOAD_ENCRYPTION_KEYS is unset', () => {
    const local = configWith();
    expect(toolEncryptionKeys(local)).toBeUndefined();
    const made = embeddedPayloadEncryption(local);

    expect(toolEncryptionKeys(local)).toBe(made.mode === 'keys' ? made.keys : 'none');
    expect(toolEncryptionKeys({ ...local, payloadEncryptionKeys: KEYS })).toBe(KEYS);
    expect(toolEncryptionKeys({ ...local, temporal: { ...local.temporal, address: 'temporal.internal:7233' } })).toBeUndefined();
  });

  it('refuses a key file that holds no key instead of making another, naming the file', () => {
    const config = configWith();
    writeFileSync(path.join(config.dataDir, LOCAL_KEY_FILE), 'not a key\n');

    expect(() => embeddedPayloadEncryption(config)).toThrow(`${path.join(config.dataDir, LOCAL_KEY_FILE)} does not hold a usable key`);
  });

  it('refuses PAYLOAD_ENCRYPTION=off together with PAYLOAD_ENCRYPTION_KEYS, and values other than on and off', () => {
    expect(configError({ PAYLOAD_ENCRYPTION: 'off', PAYLOAD_ENCRYPTION_KEYS: KEYS })).toContain('PAYLOAD_ENCRYPTION: off contradicts PAYLOAD_ENCRYPTION_KEYS, which is set; unset one of them');
    expect(configError({ PAYLOAD_ENCRYPTION: 'no' })).toContain('PAYLOAD_ENCRYPTION');
  });
});
