import type { DataConverter, LoadedDataConverter } from '@temporalio/common';
import { DeterminismViolationError } from '@temporalio/workflow';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { ReplayWorkerOptions } from '@temporalio/worker';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { createMetrics } from '../observability/metrics';
import { FAILURE_CONVERTER_PATH } from '../temporal/data-converter';
import { WORKFLOWS_PATH } from '../temporal/worker';
import type { temporal } from '@temporalio/proto';
import type { PolicyAgent } from '../contracts';
import { diffRouting } from './routing-diff';

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

/** Whether a recorded transfer would be decided the same by this checkout's routing code. */
export interface DecisionVerdict {
  workflowId: string;
  runId: string;
  /** `differs`: the code would send this call elsewhere now (a replay of its commands can still pass). */
  decision: 'same' | 'differs' | 'not-recorded';
  /** The first reason that differs, or why the decision could not be checked. */
  detail: string | null;
}

/**
 * Replay checks commands; this checks decisions: each transfer decided again from the inputs its history
 * recorded (the routing file or rules of the time, the caller's profile and tone, agents' live state, the
 * as-of time and office clocks), with this checkout's routing code, and compared with what it recorded. A
 * routing change that keeps every command the same but sends a past call elsewhere is flagged here.
 */
export async function checkDecisions(
  histories: readonly HistoryAndWorkflowId[],
  options: { converter: LoadedDataConverter; roster?: readonly PolicyAgent[] },
): Promise<DecisionVerdict[]> {
  const verdicts: DecisionVerdict[] = [];
  for (const entry of histories) {
    const report = await diffRouting(
      (async function* one() {
        yield entry;
      })(),
      { converter: options.converter, ...(options.roster ? { roster: options.roster } : {}) },
    );
    const events = (entry.history as temporal.api.history.v1.IHistory).events;
    const runId = events?.[0]?.workflowExecutionStartedEventAttributes?.originalExecutionRunId ?? '';
    const changed = report.transfers[0];
    if (changed) {
      const first = changed.firstDifference;
      verdicts.push({ workflowId: entry.workflowId, runId, decision: 'differs', detail: `${changed.kinds.join(', ')}${first ? `: ${first.before ?? '(none)'} → ${first.after ?? '(none)'}` : ''}` });
    } else if (report.compared === 1) {
      verdicts.push({ workflowId: entry.workflowId, runId, decision: 'same', detail: null });
    } else {
      verdicts.push({ workflowId: entry.workflowId, runId, decision: 'not-recorded', detail: Object.keys(report.skippedWhy)[0] ?? null });
    }
  }
  return verdicts;
}
