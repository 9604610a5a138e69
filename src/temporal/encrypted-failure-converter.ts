import { DefaultFailureConverter } from '@temporalio/common';

/**
 * With PAYLOAD_ENCRYPTION_KEYS set: failure messages and stack traces go into an encoded payload instead of
 * plain proto fields, so the payload codec encrypts them like everything else (the Web UI shows "Encoded
 * failure" until it decrypts through the codec endpoint). Loaded by path, like failure-converter.ts.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
