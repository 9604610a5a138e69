/**
 * The demo CRM as `npm start` opens it (`openCrm`, notes embedded under DATA_DIR), in a process of its own, so
 * tests can restart it for real: `write <dataDir> <transferId>`, `read <dataDir> <transferId>`, or `hold
 * <dataDir>` (prints the served URL, keeps the store open until SIGTERM). Prints one JSON line.
 */
import { loadContactCenter } from '../../src/config/contact-center';
import { DEFAULT_ROUTING_CONFIG, loadConfig } from '../../src/config/env';
import { openCrm } from '../../src/integrations/crm/create-crm';
import type { CrmAdapter } from '../../src/integrations/crm';

async function main(): Promise<void> {
  const [command, dataDir, transferId] = process.argv.slice(2);
  const config = loadConfig({ DATA_DIR: dataDir! });
  let crm: CrmAdapter;
  try {
    crm = await openCrm(config, { contactCenter: loadContactCenter(DEFAULT_ROUTING_CONFIG), demoNotes: 'embedded' });
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
    process.exit(1);
  }
  if (command === 'write') {
    const { noteId } = await crm.upsertTransferNote({
      transferId: transferId!,
      customerId: 'c-1001',
      department: 'billing',
      agentId: 'a-ana',
      reason: 'question about my invoice',
      urgency: 'medium',
      callerWords: null,
      status: 'pending-transfer',
    });
    process.stdout.write(`${JSON.stringify({ noteId })}\n`);
  } else if (command === 'read') {
    process.stdout.write(`${JSON.stringify({ note: await crm.findTransferNote(transferId!) })}\n`);
  } else if (command === 'hold') {
    process.stdout.write(`${JSON.stringify({ holding: true })}\n`);
    await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  }
  await crm.close();
}

void main();
