import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, EncryptedPayloadGuard, EncryptionKeyError, parseEncryptionKeys } from '../../src/temporal/encryption-codec';

const key = (id: string) => ({ id, key: randomBytes(32) });
const payload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString();

describe('the AES-256-GCM payload codec', () => {
  it('round-trips payloads and hides both the data and its encoding', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const original = payload({ callerNumber: '+12125550187' });
    const [sealed] = await codec.encode([original]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata!['encryption-key-id'])).toBe('k1');
    expect(text(sealed!.data)).not.toContain('2125550187');
    expect(text(sealed!.data)).not.toContain('json/plain');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ callerNumber: '+12125550187' });
  });

  it('uses a fresh IV for every payload, so equal values never look equal', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [a, b] = await codec.encode([payload('same'), payload('same')]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('rotates keys: new payloads use the first key and payloads sealed with an older one still open', async () => {
    const old = key('2025-q4');
    const fresh = key('2026-q1');
    const [sealedBefore] = await new AesGcmPayloadCodec([old]).encode([payload('before rotation')]);
    const rotated = new AesGcmPayloadCodec([fresh, old]);
    const [sealedAfter] = await rotated.encode([payload('after rotation')]);
    expect(text(sealedAfter!.metadata!['encryption-key-id'])).toBe('2026-q1');
    const opened = await rotated.decode([sealedBefore!, sealedAfter!]);
    expect(opened.map((item) => defaultPayloadConverter.fromPayload(item))).toEqual(['before rotation', 'after rotation']);
  });

  it('refuses payloads sealed with an unknown key, with a wrong key, or tampered with, without leaking data', async () => {
    const [sealed] = await new AesGcmPayloadCodec([key('k1')]).encode([payload('secret words')]);
    await expect(new AesGcmPayloadCodec([key('k2')]).decode([sealed!])).rejects.toThrow(/key "k1", which is not in PAYLOAD_ENCRYPTION_KEYS of this process \(it has "k2"\)/);
    await expect(new AesGcmPayloadCodec([key('k1')]).decode([sealed!])).rejects.toThrow(/failed authentication/);
    const tampered = { ...sealed!, data: Buffer.from(sealed!.data!).fill(0, 20, 24) };
    await expect(new AesGcmPayloadCodec([key('k1')]).decode([tampered])).rejects.toThrow(EncryptionKeyError);
  });

  it('lets payloads written before encryption was turned on pass through decode unchanged', async () => {
    const plain = payload({ outcome: 'transferred' });
    await expect(new AesGcmPayloadCodec([key('k1')]).decode([plain])).resolves.toEqual([plain]);
  });
});

describe('a process without PAYLOAD_ENCRYPTION_KEYS', () => {
  it('passes plain payloads both ways and refuses an encrypted one, naming the variable and the key id', async () => {
    const guard = new EncryptedPayloadGuard();
    const plain = payload({ outcome: 'transferred' });
    await expect(guard.encode([plain])).resolves.toEqual([plain]);
    await expect(guard.decode([plain])).resolves.toEqual([plain]);
    const [sealed] = await new AesGcmPayloadCodec([key('k1')]).encode([payload('secret words')]);

    const refusal = guard.decode([plain, sealed!]);

    await expect(refusal).rejects.toThrow(EncryptionKeyError);
    await expect(refusal).rejects.toThrow('payload was encrypted with key "k1", but PAYLOAD_ENCRYPTION_KEYS is not set on this process');
    await expect(refusal).rejects.not.toThrow(/secret words/);
  });
});

describe('PAYLOAD_ENCRYPTION_KEYS', () => {
  const b64 = (bytes: number) => randomBytes(bytes).toString('base64');

  it('parses keyId:base64key pairs in order, the first being the one that encrypts', () => {
    expect(parseEncryptionKeys(`new:${b64(32)}, old:${b64(32)}`).map((parsed) => parsed.id)).toEqual(['new', 'old']);
  });

  it.each([
    ['', /is empty/],
    [`:${b64(32)}`, /entry 1: expected keyId:base64key/],
    [`k1:${b64(16)}`, /must be 32 bytes .* openssl rand -base64 32/],
    [`k1:${b64(32)},k1:${b64(32)}`, /appears twice/],
    [`bad id:${b64(32)}`, /entry 1/],
  ])('rejects %j with a message that names the problem but not the key', (spec, message) => {
    expect(() => parseEncryptionKeys(spec)).toThrow(message);
    try {
      parseEncryptionKeys(spec);
    } catch (error) {
      const secret = spec.split(':')[1]?.split(',')[0];
      if (secret) expect((error as Error).message).not.toContain(secret);
    }
  });
});
