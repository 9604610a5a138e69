import http from 'node:http';

export interface WebhookAnswer {
  /** HTTP status, or 0 when no answer came (refused, reset, timed out). */
  status: number;
  body: string;
  error?: string;
}

// Keep-alive like Vapi's own webhook sender; many sockets so a burst is not queued behind a handful of them.
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/** POSTs JSON with node:http (less client overhead than fetch, so the figures are the server's). */
export function postJson(url: string, body: unknown, timeoutMs = 20_000, headers: Record<string, string> = {}): Promise<WebhookAnswer> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': payload.length }, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => resolve({ status: 0, body: '', error: error.message }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => resolve({ status: 0, body: '', error: (error as NodeJS.ErrnoException).code ?? error.message }));
    request.end(payload);
  });
}

/** Closes idle keep-alive sockets, e.g. before the server they point at is replaced. */
export function dropIdleSockets(): void {
  agent.destroy();
}
