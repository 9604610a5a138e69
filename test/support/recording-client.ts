/** A recording stand-in for the Temporal workflow client: starts, lists (as `running`), signals. */
export function recordingClient(running: string[] = []) {
  const start = jest.fn(async (..._args: unknown[]) => ({ workflowId: 'ignored' }));
  const signal = jest.fn(async (..._args: unknown[]) => undefined);
  const list = jest.fn((..._args: unknown[]) => ({
    async *[Symbol.asyncIterator]() {
      for (const workflowId of running) yield { workflowId };
    },
  }));
  const getHandle = jest.fn((workflowId: string) => ({ workflowId, signal: (...args: unknown[]) => signal(workflowId, ...args) }));
  const executeUpdateWithStart = jest.fn(async (..._args: unknown[]) => {
    throw new Error('not used in this test');
  });
  return { start, signal, list, getHandle, executeUpdateWithStart };
}

