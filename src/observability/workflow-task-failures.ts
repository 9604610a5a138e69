import type { LogLevel, LogMetadata } from '@temporalio/common';
import type { Logger } from './logger';

/** One failed workflow task of this worker: nondeterminism, an exception in workflow code, a payload it cannot decode. */
export interface WorkflowTaskFailure {
  workflowType: string;
  workflowId: string;
  runId: string;
  /** The failure's message (no payloads, no stack). */
  message: string;
}

/** Runs and errors are remembered for this many runs at most; a failure is reported moments after its run is seen. */
const REMEMBERED_RUNS = 10_000;
const MAX_MESSAGE = 500;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED_RUNS) map.delete(map.keys().next().value!);
}

/** `message: "…"` of the core's `Failure { failure: Some(Failure { message: "…", … }) }` (Rust debug text). */
function coreFailureMessage(failure: unknown): string | undefined {
  const quoted = typeof failure === 'string' ? /message: "((?:[^"\\]|\\.)*)"/.exec(failure)?.[1] : undefined;
  if (quoted === undefined) return undefined;
  try {
    return JSON.parse(`"${quoted}"`) as string;
  } catch {
    return quoted;
  }
}

const messageOf = (error: unknown): string | undefined => {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
};

/**
 * Sees every failed workflow task of the worker polling `taskQueue` in this process, through what the Temporal
 * runtime logs (the one place that hears of all three kinds: the SDK's Rust core says "Failing workflow task"
 * with the run id for each, whoever failed it), and reports it as one error line with the workflow's type, id
 * and run id, and to whoever counts them. The type and id come from the run's first activation (logged at
 * trace, heard here at any log level); the message, when the failure converter sealed it ("Encoded failure"),
 * from the error the TypeScript side saw. Replays (other task queues) are not this worker's failures.
 */
export class WorkflowTaskFailureWatch {
  private readonly runs = new Map<string, { workflowType: string; workflowId: string; ours: boolean }>();
  private readonly errors = new Map<string, string>();
  private readonly listeners: ((failure: WorkflowTaskFailure) => void)[] = [];

  constructor(
    private readonly options: { taskQueue: string; logger: Logger },
  ) {}

  onFailure(listener: (failure: WorkflowTaskFailure) => void): void {
    this.listeners.push(listener);
  }

  /** Called with every runtime log line; true when the line was this watch's to say (the core's warning, superseded). */
  observe(_level: LogLevel, message: string, meta: LogMetadata | undefined): boolean {
    const runId = typeof meta?.runId === 'string' ? meta.runId : undefined;
    if (!runId) return false;
    switch (message) {
      case 'Got workflow activation': {
        const init = (meta!.jobs as { initializeWorkflow?: { workflowType?: string; workflowId?: string } }[] | undefined)?.find((job) => job.initializeWorkflow)?.initializeWorkflow;
        if (init?.workflowType && init.workflowId) {
          remember(this.runs, runId, { workflowType: init.workflowType, workflowId: init.workflowId, ours: meta!.taskQueue === this.options.taskQueue });
        }
        return false;
      }
      case 'Failed to process Workflow Activation':
      case 'Workflow failed': {
        const error = messageOf(meta!.error);
        if (error) remember(this.errors, runId, error);
        return false;
      }
      case 'Failing workflow task': {
        const run = this.runs.get(runId);
        if (run && !run.ours) return false;
        const said = coreFailureMessage(meta!.failure);
        const seen = this.errors.get(runId);
        const failure: WorkflowTaskFailure = {
          workflowType: run?.workflowType ?? 'unknown',
          workflowId: run?.workflowId ?? 'unknown',
          runId,
          message: (said === undefined || said === 'Encoded failure' ? (seen ?? said ?? 'no message') : said).slice(0, MAX_MESSAGE),
        };
        this.errors.delete(runId);
        this.options.logger.error(
          { workflowType: failure.workflowType, workflowId: failure.workflowId, runId, failure: failure.message },
          'workflow task failed',
        );
        for (const listener of this.listeners) listener(failure);
        return true;
      }
      default:
        return false;
    }
  }
}
