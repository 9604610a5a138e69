import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { AppConfig } from '../config/env';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** The cluster a process talks to: the configured one, or the embedded dev server's address. */
export function temporalTarget(config: Pick<AppConfig, 'temporal' | 'devServer'>): TemporalTarget {
  return {
    address: config.temporal.address ?? `127.0.0.1:${config.devServer.port}`,
    namespace: config.temporal.namespace,
  };
}

/** A client connection; fails (and the caller exits non-zero) when the cluster cannot be reached at boot. */
export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({ address: target.address });
  return new Client({ connection, namespace: target.namespace });
}

export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ address: target.address });
}
