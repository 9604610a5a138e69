// Workflows of the primitives benchmark: each is one Temporal building block and nothing else.
import { condition, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler, upsertMemo } from '@temporalio/workflow';

type Activities = { echo(value: unknown): Promise<unknown> };
const activity = proxyActivities<Activities>({ startToCloseTimeout: '5s' });
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '5s' });

export const goSignal = defineSignal('go');
export const bumpUpdate = defineUpdate<number>('bump');

/** Started, one workflow task, completed. */
export async function empty(): Promise<void> {}

export async function oneActivity(): Promise<void> {
  await activity.echo(1);
}

export async function oneLocalActivity(): Promise<void> {
  await local.echo(1);
}

/** Four local activities at once, then two after each other: the shape of a transfer's first task. */
export async function sixLocalActivities(): Promise<void> {
  await Promise.all([local.echo(1), local.echo(2), local.echo(3), local.echo(4)]);
  await local.echo(5);
  await local.echo(6);
}

export async function waitForSignal(): Promise<void> {
  let got = false;
  setHandler(goSignal, () => {
    got = true;
  });
  await condition(() => got);
}

export async function memoUpsert(): Promise<void> {
  upsertMemo({ routing: 'x'.repeat(3_000) });
}

/** A long-lived entity answering updates and queries, as an agent's workflow does. */
export async function entity(): Promise<void> {
  let count = 0;
  setHandler(bumpUpdate, () => (count += 1));
  await condition(() => count < 0);
}
