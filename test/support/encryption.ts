import { createDataConverter, payloadCodecFor } from '../../src/temporal/data-converter';
import { newEncryptionKeySpec } from '../../src/temporal/payload-encryption';

/**
 * The key of the Switchboard processes a test file starts (each refuses to start without one, as in
 * production), and the converter of the test's own clients, which must read what those processes write.
 */
export const TEST_ENCRYPTION_KEYS = newEncryptionKeySpec('test');

export function testEncryptionEnv(): { PAYLOAD_ENCRYPTION_KEYS: string } {
  return { PAYLOAD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS };
}

export function testDataConverter() {
  return createDataConverter(payloadCodecFor(TEST_ENCRYPTION_KEYS));
}
