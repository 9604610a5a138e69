import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** A problem with PAYLOAD_ENCRYPTION_KEYS; never carries key material. */
export class EncryptionKeyError extends Error {
  override readonly name = 'EncryptionKeyError';
}

/**
 * Parses `keyId:base64key,...`. Each key must decode to 32 bytes (AES-256); ids must be unique. The first
 * key encrypts new payloads; the others only decrypt, which is how keys rotate: put the new key first and
 * keep the old ones until no history that needs them is retained.
 */
export function parseEncryptionKeys(spec: string): EncryptionKey[] {
  const entries = spec.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) throw new EncryptionKeyError('PAYLOAD_ENCRYPTION_KEYS is empty: expected keyId:base64key[,keyId:base64key...]');
  const keys = entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id)) {
      throw new EncryptionKeyError(`PAYLOAD_ENCRYPTION_KEYS entry ${index + 1}: expected keyId:base64key with an id of letters, digits, . _ -`);
    }
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) {
      throw new EncryptionKeyError(`PAYLOAD_ENCRYPTION_KEYS key "${id}": must be 32 bytes of base64 (got ${key.length}); make one with: openssl rand -base64 32`);
    }
    return { id, key };
  });
  const seen = new Set<string>();
  for (const { id } of keys) {
    if (seen.has(id)) throw new EncryptionKeyError(`PAYLOAD_ENCRYPTION_KEYS: key id "${id}" appears twice`);
    seen.add(id);
  }
  return keys;
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return Boolean(encoding) && Buffer.from(encoding!).toString() === ENCRYPTED_ENCODING;
}

function keyIdOf(payload: Payload): string {
  const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
  return keyIdBytes ? Buffer.from(keyIdBytes).toString() : '';
}

/**
 * The codec of a process without PAYLOAD_ENCRYPTION_KEYS: it writes payloads as they are, and when it meets
 * an encrypted one (a history written by a process that has the keys) it fails with a message that names the
 * variable and the key id, instead of the payload converter's "Unknown encoding" deep inside a workflow task.
 * The failure fails that workflow or activity task only; the worker goes on with everything else.
 */
export class EncryptedPayloadGuard implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    for (const payload of payloads) {
      if (isEncrypted(payload)) {
        throw new EncryptionKeyError(
          `payload was encrypted with key "${keyIdOf(payload)}", but PAYLOAD_ENCRYPTION_KEYS is not set on this process: ` +
            'give every Switchboard process the same keys',
        );
      }
    }
    return payloads;
  }
}

/**
 * AES-256-GCM over the whole serialised payload (metadata included, so even the encoding is hidden), with a
 * fresh 12-byte IV per payload in front and the key id bound as additional data. Payloads that are not
 * encrypted pass through decode unchanged, so histories written before encryption was turned on still read.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly encryptWith: EncryptionKey;
  private readonly byId: Map<string, Buffer>;

  constructor(keys: readonly EncryptionKey[]) {
    const [first] = keys;
    if (!first) throw new EncryptionKeyError('at least one encryption key is required');
    this.encryptWith = first;
    this.byId = new Map(keys.map((key) => [key.id, key.key]));
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.encryptWith.key, iv);
      cipher.setAAD(Buffer.from(this.encryptWith.id));
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: Buffer.from(this.encryptWith.id),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!isEncrypted(payload)) return payload;
      const keyId = keyIdOf(payload);
      const key = this.byId.get(keyId);
      if (!key) {
        throw new EncryptionKeyError(
          `payload was encrypted with key "${keyId}", which is not in PAYLOAD_ENCRYPTION_KEYS of this process (it has ${this.keyIds.map((id) => `"${id}"`).join(', ')}): ` +
            'give every Switchboard process the same keys',
        );
      }
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new EncryptionKeyError('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new EncryptionKeyError(`payload encrypted with key "${keyId}" failed authentication (wrong key or tampered data)`);
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
