import type { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/**
 * Which of `secrets` can be read in a raw history (as `temporal workflow show -o json` prints it): as text, as
 * the base64 of their bytes or of their JSON encoding (a payload holding just that value), or inside any
 * base64 blob once decoded (a payload holding an object that contains them).
 */
export function readableSecrets(history: temporal.api.history.v1.IHistory, secrets: readonly string[]): string[] {
  const json = historyToJSON(history as temporal.api.history.v1.History);
  const blobs = [...json.matchAll(/"([A-Za-z0-9+/]{8,}={0,2})"/g)].map((match) => Buffer.from(match[1]!, 'base64').toString('latin1'));
  const texts = [json, ...blobs];
  return secrets.filter((secret) => {
    const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(JSON.stringify(secret)).toString('base64')];
    return texts.some((text) => forms.some((form) => text.includes(form)));
  });
}
