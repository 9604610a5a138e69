// The same workflow names as first.ts, one of them changed in a way that does not replay (nondeterminism).
import { proxyActivities } from '@temporalio/workflow';

const { nothing } = proxyActivities<{ nothing(): Promise<void> }>({ startToCloseTimeout: '5s' });

export async function throwsInWorkflowCode(): Promise<void> {
  throw new TypeError('a bug in workflow code');
}

export async function changesShape(): Promise<void> {
  await nothing();
}

export async function echo(text: string): Promise<string> {
  return text;
}
