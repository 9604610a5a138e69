import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One command as the fake control server received it. */
export interface ReceivedControlCommand {
  callId: string;
  path: string;
  body: unknown;
  receivedAt: number;
  /** The sender's port on its side of the connection: which process sent it can be read from the socket table. */
  remotePort?: number;
}

export type ControlResponder = (command: ReceivedControlCommand) => { status: number; body?: unknown; delayMs?: number; headers?: Record<string, string> };

export interface FakeControlServer {
  /** Base URL: a call's controlUrl is `${baseUrl}/<callId>/control`. */
  baseUrl: string;
  controlUrlFor(callId: string): string;
  received: ReceivedControlCommand[];
  /** Commands of one call, in arrival order. */
  commandsFor(callId: string): ReceivedControlCommand[];
  /** Replaces how the server answers (default: 200 `{}`). */
  respondWith(responder: ControlResponder): void;
  /** Resolves once `count` commands of this call have arrived. */
  waitForCommands(callId: string, count: number, timeoutMs?: number): Promise<ReceivedControlCommand[]>;
  close(): Promise<void>;
}

/**
 * A local stand-in for Vapi's Live Call Control endpoint: accepts `POST /<callId>/control` with a JSON
 * body, records it, and answers like the real thing (200 with a small JSON body). Used by the simulator,
 * the tests and the benchmark; never by production code.
 */
export async function startFakeControlServer(options: { port?: number; host?: string } = {}): Promise<FakeControlServer> {
  const received: ReceivedControlCommand[] = [];
  const waiters = new Set<() => void>();
  let responder: ControlResponder = () => ({ status: 200, body: {} });

  const server = http.createServer((req, res) => {
    const match = /^\/([^/]+)\/control$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid JSON' }));
        return;
      }
      const command: ReceivedControlCommand = { callId: decodeURIComponent(match[1]!), path: req.url!, body, receivedAt: Date.now(), remotePort: req.socket.remotePort };
      received.push(command);
      waiters.forEach((wake) => wake());
      const answer = responder(command);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body ?? {}));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;

  const commandsFor = (callId: string) => received.filter((command) => command.callId === callId);

  return {
    baseUrl,
    controlUrlFor: (callId) => `${baseUrl}/${encodeURIComponent(callId)}/control`,
    received,
    commandsFor,
    respondWith(next) {
      responder = next;
    },
    waitForCommands(callId, count, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const commands = commandsFor(callId);
          if (commands.length >= count) {
            cleanup();
            resolve(commands);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`expected ${count} control command(s) for ${callId}, got ${commandsFor(callId).length}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
