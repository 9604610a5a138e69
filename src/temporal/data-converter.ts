import { existsSync } from 'node:fs';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmPayloadCodec, EncryptedPayloadGuard, parseEncryptionKeys } from './encryption-codec';

/** Failure messages in the clear (encryption off). Referenced by path because the workflow bundle loads it inside the sandbox. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');
/** Failure messages sealed by the codec (encryption on). */
export const ENCRYPTED_FAILURE_CONVERTER_PATH = require.resolve('./encrypted-failure-converter');

/** The failure converter that goes with encryption on or off; the bundle, the worker and the clients must agree. */
export function failureConverterPathFor(encrypted: boolean): string {
  return encrypted ? ENCRYPTED_FAILURE_CONVERTER_PATH : FAILURE_CONVERTER_PATH;
}

/** The codec for PAYLOAD_ENCRYPTION_KEYS, or none when encryption is off. */
export function payloadCodecFor(encryptionKeys: string | undefined): AesGcmPayloadCodec | undefined {
  return encryptionKeys ? new AesGcmPayloadCodec(parseEncryptionKeys(encryptionKeys)) : undefined;
}

/**
 * The one data converter of every client, worker, bundle and replayer: they must agree, or histories written
 * by one cannot be read by the other. With a codec (encryption on) payloads and failure messages are sealed;
 * without one, failures stay readable in the Web UI and an encrypted payload met by mistake fails with a
 * message naming PAYLOAD_ENCRYPTION_KEYS (see EncryptedPayloadGuard).
 */
export function createDataConverter(codec?: PayloadCodec): DataConverter {
  return { failureConverterPath: failureConverterPathFor(codec !== undefined), payloadCodecs: [codec ?? new EncryptedPayloadGuard()] };
}

/**
 * `npm run build:workflow-bundle -- out.js` writes two bundles that differ only in their failure converter:
 * `out.js` for deployments without encryption and `out.encrypted.js` for those with it. WORKFLOW_BUNDLE_PATH
 * names the first; a worker with PAYLOAD_ENCRYPTION_KEYS runs the second.
 */
export function workflowBundleVariant(bundlePath: string, encrypted: boolean): string {
  return encrypted ? bundlePath.replace(/(\.js)?$/, '.encrypted.js') : bundlePath;
}

/** The prebuilt bundle this process must run, checked to exist (the message names what to change). */
export function prebuiltWorkflowBundle(bundlePath: string, encrypted: boolean): string {
  const file = workflowBundleVariant(bundlePath, encrypted);
  if (!existsSync(file)) {
    throw new Error(
      `WORKFLOW_BUNDLE_PATH: ${file} does not exist${encrypted ? ' (with PAYLOAD_ENCRYPTION_KEYS set, workers run the .encrypted.js bundle written next to it)' : ''}; ` +
        'build it with npm run build:workflow-bundle -- <path>, or unset WORKFLOW_BUNDLE_PATH to bundle at start',
    );
  }
  return file;
}
