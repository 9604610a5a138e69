import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces in the clear, as the Web UI's event list shows them: the converter of
 * processes without PAYLOAD_ENCRYPTION_KEYS. Loaded by path: the workflow sandbox and the worker's activities
 * must use the same one (see data-converter.ts). Either converter reads failures the other wrote.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: false });
