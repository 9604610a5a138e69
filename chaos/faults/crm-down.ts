/**
 * Fault for `npm run chaos` scenario (e), loaded through crm-down.mjs into a worker process: it makes
 * the demo CRM fail every call, as an unreachable CRM would. Lives here, not in src/, so no production code
 * carries a switch for it.
 */
import { DemoCrm } from '../../src/integrations/crm';

const down = async (): Promise<never> => {
  throw new Error('CRM unavailable (chaos: crm-down)');
};
DemoCrm.prototype.findCustomer = down;
DemoCrm.prototype.upsertTransferNote = down;
DemoCrm.prototype.updateNoteStatus = down;
