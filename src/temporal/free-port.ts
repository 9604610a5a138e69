import net from 'node:net';

/** A loopback port nobody listens on right now (for the dev server, and the SDK's metrics exporter, which cannot report a port it picked). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
