import type { DataConverter } from '@temporalio/common';
import { DeterminismViolationError } from '@temporalio/workflow';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { ReplayWorkerOptions } from '@temporalio/worker';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { createMetrics } from '../observability/metrics';
import { FAILURE_CONVERTER_PATH } from '../temporal/data-converter';
import { WORKFLOWS_PATH } from '../temporal/worker';

export interface ReplayVerdict {
  workflowId: string;
  runId: string;
  ok: boolean;
  /** `nondeterminism` means the current code would take another path than the recorded run: do not deploy. */
  problem: 'nondeterminism' | 'error' | null;
  message: string | null;
}

let ownBundle: Promise<{ code: string }> | undefined;

/** This process's workflow code, bundled once (seconds) and reused by every later replay. */
export function currentWorkflowBundle(bundlePath: string | undefined): Promise<{ codePath: string } | { code: string }> {
  if (bundlePath) return Promise.resolve({ codePath: bundlePath });
  ownBundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger: new DefaultLogger('WARN') }).then(({ code }) => ({ code }));
  return ownBundle;
}

/**
 * Replays recorded histories against the workflow code in this checkout (or a prebuilt bundle): the gate
 * before deploying a routing change. A history passes only when the code makes the same decisions.
 */
export async function replayTransfers(
  histories: AsyncIterable<HistoryAndWorkflowId> | Iterable<HistoryAndWorkflowId>,
  options: {
    dataConverter: DataConverter;
    /** A prebuilt bundle (path or code); without one, this checkout's src/workflows is bundled. */
    workflowBundle?: { codePath: string } | { code: string };
    onVerdict?: (verdict: ReplayVerdict) => void;
  },
): Promise<ReplayVerdict[]> {
  const workerOptions: ReplayWorkerOptions = {
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    dataConverter: options.dataConverter,
    // Sinks are never called on replay, but the workflows look them up.
    sinks: createMetrics({ departments: [], defaultMetrics: false }).sinks(),
    replayName: 'switchboard-replay',
  };
  const verdicts: ReplayVerdict[] = [];
  for await (const result of Worker.runReplayHistories(workerOptions, histories)) {
    const error = result.error;
    const verdict: ReplayVerdict = {
      workflowId: result.workflowId,
      runId: result.runId,
      ok: !error,
      problem: error ? (error instanceof DeterminismViolationError ? 'nondeterminism' : 'error') : null,
      message: error ? error.message : null,
    };
    verdicts.push(verdict);
    options.onVerdict?.(verdict);
  }
  return verdicts;
}
