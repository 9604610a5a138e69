// Workflows that fail their workflow tasks on purpose (test/operate/workflow-task-failures.test.ts).
import { sleep } from '@temporalio/workflow';

/** An exception in workflow code (not a Temporal failure): the task fails, the workflow stays open. */
export async function throwsInWorkflowCode(): Promise<void> {
  throw new TypeError('a bug in workflow code');
}

/** Sleeps first; `second.ts` schedules an activity in its place, which a worker replaying this history cannot match. */
export async function changesShape(): Promise<void> {
  await sleep('2 seconds');
}

export async function echo(text: string): Promise<string> {
  return text;
}
