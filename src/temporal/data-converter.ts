import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmPayloadCodec, parseEncryptionKeys } from './encryption-codec';

/** Referenced by path because the workflow bundle loads it inside the sandbox. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** The codec for PAYLOAD_ENCRYPTION_KEYS, or none when encryption is off. */
export function payloadCodecFor(encryptionKeys: string | undefined): AesGcmPayloadCodec | undefined {
  return encryptionKeys ? new AesGcmPayloadCodec(parseEncryptionKeys(encryptionKeys)) : undefined;
}

/**
 * The one data converter of every client, worker, bundle and replayer: they must agree, or histories written
 * by one cannot be read by the other.
 */
export function createDataConverter(codec?: PayloadCodec): DataConverter {
  return { failureConverterPath: FAILURE_CONVERTER_PATH, payloadCodecs: codec ? [codec] : [] };
}
