import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { TLSConfig } from '@temporalio/worker';
import type { AppConfig, TemporalTlsConfig } from '../config/env';
import { createDataConverter } from './data-converter';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Temporal Cloud API key; sent as a bearer token and implies TLS. */
  apiKey?: string;
  tls?: TemporalTlsConfig;
}

/** The cluster a process talks to: the configured one, or the embedded dev server's address. */
export function temporalTarget(config: Pick<AppConfig, 'temporal' | 'devServer'>): TemporalTarget {
  return {
    address: config.temporal.address ?? `127.0.0.1:${config.devServer.port}`,
    namespace: config.temporal.namespace,
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
    ...(config.temporal.tls ? { tls: config.temporal.tls } : {}),
  };
}

function readPem(source: { path: string } | { data: string }, what: string): Buffer {
  if ('data' in source) return Buffer.from(source.data);
  try {
    return readFileSync(source.path);
  } catch (error) {
    throw new Error(`cannot read the TLS ${what} at ${source.path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

/** The SDK's TLS options from file paths or inline PEM; the same for the client and the worker connection. */
export function tlsOptions(tls: TemporalTlsConfig | undefined): TLSConfig | undefined {
  if (!tls) return undefined;
  return {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.serverCa ? { serverRootCACertificate: readPem(tls.serverCa, 'server CA certificate') } : {}),
    ...(tls.clientCert && tls.clientKey
      ? { clientCertPair: { crt: readPem(tls.clientCert, 'client certificate'), key: readPem(tls.clientKey, 'client key') } }
      : {}),
  };
}

function connectionOptions(target: TemporalTarget): { address: string; tls?: TLSConfig; apiKey?: string } {
  const tls = tlsOptions(target.tls);
  return {
    address: target.address,
    ...(tls ? { tls } : {}),
    ...(target.apiKey ? { apiKey: target.apiKey } : {}),
  };
}

/**
 * gRPC's default reconnect backoff (1 s, ×1.6) can leave the channel waiting for its next try long after a
 * restarted server is back, past the window in which a webhook keeps trying to start its workflow. Capped
 * at 1 s, a reconnect follows the server's return within a second.
 */
export const CLIENT_RECONNECT_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
} as const;

/** A client connection; fails (and the caller exits non-zero) when the cluster cannot be reached at boot. */
export async function connectClient(target: TemporalTarget, dataConverter: DataConverter = createDataConverter()): Promise<Client> {
  const connection = await Connection.connect({ ...connectionOptions(target), channelArgs: { ...CLIENT_RECONNECT_CHANNEL_ARGS } });
  return new Client({ connection, namespace: target.namespace, dataConverter });
}

export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(target));
}
