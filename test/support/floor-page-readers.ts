import http from 'node:http';

/**
 * Many open floor pages, in a process of their own so that reading them costs the API's process nothing:
 * STREAMS streams of FLOOR_URL with FLOOR_COOKIE, the first PAUSED of which never read (a laptop asleep).
 * Prints `open <n>` once every stream is answered, `loaded` once every reading one has READY_BYTES, then its
 * totals every second; stops on SIGTERM.
 */
const url = process.env.FLOOR_URL!;
const cookie = process.env.FLOOR_COOKIE!;
const streams = Number(process.env.STREAMS ?? 1_000);
const paused = Number(process.env.PAUSED ?? 0);
const readyBytes = Number(process.env.READY_BYTES ?? 1);

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const received: number[] = new Array<number>(streams).fill(0);
let answered = 0;
let loadedSaid = false;

for (let index = 0; index < streams; index += 1) {
  const request = http.get(url, { agent, headers: { cookie, accept: 'text/event-stream' } }, (response) => {
    if (response.statusCode !== 200) {
      process.stdout.write(`refused ${response.statusCode}\n`);
      process.exit(1);
    }
    answered += 1;
    if (answered === streams) process.stdout.write(`open ${answered}\n`);
    if (index < paused) {
      response.pause();
      return;
    }
    response.on('data', (chunk: Buffer) => {
      received[index]! += chunk.length;
    });
  });
  request.on('error', (error) => {
    process.stdout.write(`error ${error.message}\n`);
    process.exit(1);
  });
}

setInterval(() => {
  const reading = received.slice(paused);
  if (!loadedSaid && answered === streams && reading.every((bytes) => bytes >= readyBytes)) {
    loadedSaid = true;
    process.stdout.write('loaded\n');
  }
  process.stdout.write(`bytes ${received.reduce((sum, bytes) => sum + bytes, 0)}\n`);
}, 250);

process.on('SIGTERM', () => process.exit(0));
