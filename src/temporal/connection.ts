import { readFileSync } from 'node:fs';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { ConnectionLike, ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { TLSConfig } from '@temporalio/worker';
import type { AppConfig, TemporalTlsConfig } from '../config/env';
import { createDataConverter } from './data-converter';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Temporal Cloud API key; sent as a bearer token and implies TLS. */
  apiKey?: string;
  tls?: TemporalTlsConfig;
  /** The variable that chose the address, so every "cannot connect" can say what to change. */
  addressSetBy: 'TEMPORAL_ADDRESS' | 'DEV_SERVER_PORT';
}

/** The cluster a process talks to: the configured one, or the embedded dev server's address. */
export function temporalTarget(config: Pick<AppConfig, 'temporal' | 'devServer'>): TemporalTarget {
  return {
    address: config.temporal.address ?? `127.0.0.1:${config.devServer.port}`,
    namespace: config.temporal.namespace,
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
    ...(config.temporal.tls ? { tls: config.temporal.tls } : {}),
    addressSetBy: config.temporal.address ? 'TEMPORAL_ADDRESS' : 'DEV_SERVER_PORT',
  };
}

/** "Temporal at <address> (<which variable sets it>)": the start of every message about reaching the server. */
export function describeTarget(target: Pick<TemporalTarget, 'address' | 'addressSetBy'>): string {
  return target.addressSetBy === 'TEMPORAL_ADDRESS'
    ? `Temporal at ${target.address} (TEMPORAL_ADDRESS)`
    : `Temporal at ${target.address} (the local dev server on DEV_SERVER_PORT; set TEMPORAL_ADDRESS for another server)`;
}

/** The reason a connection attempt failed, in one line (gRPC and tonic errors carry their cause inside). */
export function connectionErrorReason(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 4) {
    parts.push(current.message);
    current = (current as { cause?: unknown }).cause;
  }
  const text = parts.join(': ') || String(error);
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

/** Thrown when a process cannot reach Temporal; the message names the address and the variable that sets it. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
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

/**
 * The same for the client's own retries of a call: its default pauses grow to 5 s (170 ms ×1.7 per try), so
 * a start that began as the server went down retried at 5.6 s and next at 9.7 s — after the webhook's 8 s
 * deadline even when the server was back at 6.5 s (npm run chaos, scenario j). Capped at 1 s, with as many
 * tries as the default's ~25 s for calls that have no deadline of their own.
 */
export function clientRetryInterceptors(maxAttempts = 30): Interceptor[] {
  return [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxIntervalMs: () => 1_000, maxAttempts }))];
}

/**
 * Channel and retry settings of every client connection (API, CLI, tests that stand in for them). `maxAttempts`
 * per call: the services ride out a restart; a command at a terminal gives up within seconds instead.
 */
export function clientConnectionTuning(maxAttempts?: number): { channelArgs: Record<string, number>; interceptors: Interceptor[] } {
  return { channelArgs: { ...CLIENT_RECONNECT_CHANNEL_ARGS }, interceptors: clientRetryInterceptors(maxAttempts) };
}

/**
 * A client connection, verified: for commands that need the server now (the CLI, set-up). Fails with
 * {@link TemporalUnreachableError} after `connectTimeoutMs`.
 */
export async function connectClient(
  target: TemporalTarget,
  dataConverter: DataConverter = createDataConverter(),
  options: { connectTimeoutMs?: number; maxAttempts?: number } = {},
): Promise<Client> {
  try {
    const connection = await Connection.connect({
      ...connectionOptions(target),
      ...clientConnectionTuning(options.maxAttempts),
      connectTimeout: options.connectTimeoutMs ?? 10_000,
    });
    return new Client({ connection, namespace: target.namespace, dataConverter });
  } catch (error) {
    throw new TemporalUnreachableError(`cannot connect to ${describeTarget(target)}: ${connectionErrorReason(error)}`, { cause: error });
  }
}

/**
 * A client whose connection is made on first use and remade after an outage: the API listens (and answers
 * /healthz and /readyz) while Temporal is still starting, and a webhook's start waits within its deadline.
 */
export function lazyClient(target: TemporalTarget, dataConverter: DataConverter = createDataConverter()): Client {
  const connection = Connection.lazy({ ...connectionOptions(target), ...clientConnectionTuning() });
  return new Client({ connection, namespace: target.namespace, dataConverter });
}

/** One round trip to the server within `timeoutMs` (GetSystemInfo, the call the SDK's own connect makes). */
export async function probeTemporal(connection: ConnectionLike, timeoutMs: number): Promise<void> {
  await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
}

/** A worker connection; fails with {@link TemporalUnreachableError} when the server does not answer. */
export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptions(target));
  } catch (error) {
    throw new TemporalUnreachableError(`cannot connect to ${describeTarget(target)}: ${connectionErrorReason(error)}`, { cause: error });
  }
}
