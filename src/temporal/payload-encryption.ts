import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config/env';
import { EncryptionKeyError, parseEncryptionKeys } from './encryption-codec';

/** Where `npm start` keeps the key it made, under DATA_DIR: `<key id>:<base64 key>`, PAYLOAD_ENCRYPTION_KEYS's own form. */
export const LOCAL_KEY_FILE = 'payload-encryption.key';

/**
 * How this process treats payloads: sealed with PAYLOAD_ENCRYPTION_KEYS, sealed with npm start's key file,
 * or in plaintext because PAYLOAD_ENCRYPTION=off says so.
 */
export type PayloadEncryption =
  | { mode: 'keys'; keys: string; source: 'PAYLOAD_ENCRYPTION_KEYS' }
  | { mode: 'keys'; keys: string; source: 'key-file'; keyFile: string; created: boolean }
  | { mode: 'off' };

type EncryptionConfig = Pick<AppConfig, 'payloadEncryptionKeys' | 'payloadEncryption' | 'dataDir'> & { temporal: Pick<AppConfig['temporal'], 'address'> };

/** A fresh 32-byte AES key in PAYLOAD_ENCRYPTION_KEYS's form, its id `<prefix>-<first hex of the key's SHA-256>`. */
export function newEncryptionKeySpec(prefix: string): string {
  const key = randomBytes(32);
  return `${prefix}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}:${key.toString('base64')}`;
}

/** The operator's way out of a refused start, said the same way everywhere. */
export const ENCRYPTION_REQUIRED_MESSAGE =
  'PAYLOAD_ENCRYPTION_KEYS is not set. Switchboard encrypts what it stores in Temporal (callers\' numbers and words, controlUrls), ' +
  'and every Switchboard process needs the same key: make one with `openssl rand -base64 32` and set ' +
  'PAYLOAD_ENCRYPTION_KEYS=<key id>:<that key> (for example k1:…) on every process ' +
  `(npm start keeps its own in DATA_DIR/${LOCAL_KEY_FILE}, in that form), or set PAYLOAD_ENCRYPTION=off to store payloads in plaintext`;

export const ENCRYPTION_OFF_WARNING =
  'PAYLOAD_ENCRYPTION=off: payloads (callers\' numbers and words, controlUrls) are stored in Temporal in plaintext, readable by anyone who can read its histories';

export class PayloadEncryptionRequiredError extends Error {
  override readonly name = 'PayloadEncryptionRequiredError';
  constructor() {
    super(ENCRYPTION_REQUIRED_MESSAGE);
  }
}

function keyFileOf(config: Pick<EncryptionConfig, 'dataDir'>): string {
  return path.join(config.dataDir, LOCAL_KEY_FILE);
}

/** The key file's content, checked; undefined when there is none. */
function readKeyFile(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    parseEncryptionKeys(text);
  } catch (error) {
    throw new EncryptionKeyError(`${file} does not hold a usable key (${(error as Error).message}); restore it, or set PAYLOAD_ENCRYPTION_KEYS`);
  }
  return text;
}

/** The key file of DATA_DIR, made on first use (mode 0600, never overwritten) and reused on every later start. */
function localKey(config: Pick<EncryptionConfig, 'dataDir'>): { keys: string; keyFile: string; created: boolean } {
  const keyFile = keyFileOf(config);
  const existing = readKeyFile(keyFile);
  if (existing) return { keys: existing, keyFile, created: false };
  mkdirSync(config.dataDir, { recursive: true });
  const keys = newEncryptionKeySpec('local');
  try {
    // `wx`: a start racing this one keeps the key it wrote first, and so does this one.
    writeFileSync(keyFile, `${keys}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { keys: readKeyFile(keyFile)!, keyFile, created: false };
    throw error;
  }
  return { keys, keyFile, created: true };
}

/**
 * `npm start`. PAYLOAD_ENCRYPTION_KEYS when set; else, on the embedded dev server, the key file under DATA_DIR
 * (made the first time), so nothing personal is ever stored in plaintext by default. Against a cluster
 * (TEMPORAL_ADDRESS) a key on one host's disk would lock everyone else out of the histories: keys are required
 * there, as for every process started apart.
 */
export function embeddedPayloadEncryption(config: EncryptionConfig): PayloadEncryption {
  if (config.payloadEncryption === 'off') return { mode: 'off' };
  if (config.payloadEncryptionKeys) return { mode: 'keys', keys: config.payloadEncryptionKeys, source: 'PAYLOAD_ENCRYPTION_KEYS' };
  if (config.temporal.address !== undefined) throw new PayloadEncryptionRequiredError();
  return { mode: 'keys', source: 'key-file', ...localKey(config) };
}

/** `start:worker` and `start:api`: PAYLOAD_ENCRYPTION_KEYS, or PAYLOAD_ENCRYPTION=off said out loud; nothing else starts. */
export function requiredPayloadEncryption(config: EncryptionConfig): PayloadEncryption {
  if (config.payloadEncryption === 'off') return { mode: 'off' };
  if (config.payloadEncryptionKeys) return { mode: 'keys', keys: config.payloadEncryptionKeys, source: 'PAYLOAD_ENCRYPTION_KEYS' };
  throw new PayloadEncryptionRequiredError();
}

/**
 * Operators' tools (`npx switchboard`: transfers, replay, routing diff): PAYLOAD_ENCRYPTION_KEYS when set;
 * else, against the local dev server of `npm start` (TEMPORAL_ADDRESS unset), its key file in DATA_DIR if there
 * is one, so `npm start` then `npx switchboard transfers show` reads decrypted payloads with nothing to set.
 */
export function toolEncryptionKeys(config: EncryptionConfig): string | undefined {
  if (config.payloadEncryptionKeys) return config.payloadEncryptionKeys;
  if (config.payloadEncryption === 'off' || config.temporal.address !== undefined) return undefined;
  return readKeyFile(keyFileOf(config));
}

/** The keys a process runs with (undefined: plaintext), with the one warning encryption off deserves. */
export function encryptionKeysOf(encryption: PayloadEncryption, logger: { warn(message: string): void }): string | undefined {
  if (encryption.mode === 'off') {
    logger.warn(ENCRYPTION_OFF_WARNING);
    return undefined;
  }
  return encryption.keys;
}
