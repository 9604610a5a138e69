import express from 'express';
import type { AddressInfo } from 'node:net';

/**
 * The baseline: the plain Express handler of the seed document (Vapi's guide to dynamic call transfers),
 * kept as close to it as a fair comparison allows. It switches on the department, POSTs the transfer to the
 * call's controlUrl and only then answers Vapi. Nothing is stored, so a crash, a restart or a failed POST
 * loses the transfer, and a repeated delivery transfers twice.
 *
 * Two deliberate differences from the seed, both in its favour: it POSTs to the controlUrl itself (the
 * seed appends a second `/control`, which Vapi would answer 404), and it uses fetch instead of axios (no
 * extra dependency; same work). It logs the department only, not the caller's reason.
 */
const app = express();
app.use(express.json({ limit: '1mb' }));

app.post('/webhook', async (req, res) => {
  try {
    const { message } = req.body;
    const controlUrl = message?.call?.monitor?.controlUrl;
    const toolCall = message?.toolWithToolCallList?.[0]?.toolCall;
    if (!controlUrl || !toolCall) {
      res.status(400).json({ error: 'Missing required data' });
      return;
    }
    const args = typeof toolCall.function.arguments === 'string' ? JSON.parse(toolCall.function.arguments) : toolCall.function.arguments;
    const { department } = args;
    if (process.env.BASELINE_LOG !== 'off') console.log(`Transfer request: ${String(department).slice(0, 30)}`);

    let destination;
    if (department === 'support') destination = { type: 'number', number: '+1234567890' };
    else if (department === 'sales') destination = { type: 'number', number: '+1987654321' };
    else destination = { type: 'number', number: '+1555555555' };

    const response = await fetch(controlUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'transfer', destination, content: `Transferring you to ${department} now.` }),
    });
    // axios rejects on a non-2xx answer; so does this, to keep the seed's error path.
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`control URL answered ${response.status}`);
    res.json({ success: true });
  } catch (error) {
    console.error('Transfer error:', error instanceof Error ? error.message : String(error));
    res.status(500).json({ error: 'Transfer failed' });
  }
});

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`Baseline webhook server running on port ${port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('SIGINT', () => server.close(() => process.exit(0)));
