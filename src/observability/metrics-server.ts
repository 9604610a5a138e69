import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export interface MetricsServer {
  url: string;
  port: number;
  /** True when METRICS_PORT was taken and another port was picked. */
  fellBack: boolean;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * `/metrics` for a worker-only process, which has no API port of its own. Several workers on one host all
 * default to METRICS_PORT: the first takes it, the others serve on a free port and log which, instead of
 * dying on EADDRINUSE (a second `npm run start:worker` must simply run).
 */
export async function startMetricsServer(metrics: Metrics, options: { port: number; host: string; logger?: Logger }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  let fellBack = false;
  try {
    await listen(server, options.port, options.host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port === 0) throw error;
    await listen(server, 0, options.host);
    fellBack = true;
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  const url = `http://${shownHost}:${port}/metrics`;
  if (fellBack) {
    options.logger?.warn(
      { wanted: options.port, port, metrics: url },
      `METRICS_PORT ${options.port} is in use on ${options.host} (another worker on this host?); serving /metrics on port ${port} instead`,
    );
  }
  return { url, port, fellBack, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
