import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoContactCenter } from '../support/factories';
import { loadConfig } from '../../src/config/env';
import { createCrm } from '../../src/integrations/crm/create-crm';
import { DemoCrm, TRANSFER_NOTE_STATUSES } from '../../src/integrations/crm';
import { expectEveryStatusToRoundTrip, expectRefusedMovesIgnored, pathTo, transferNote } from '../support/note-lifecycle';

const SCRIPT = path.join(__dirname, '../support/demo-crm-process.ts');
let dataDir: string;
const children: ChildProcess[] = [];

type Command = 'write' | 'read' | 'mark' | 'walk' | 'read-all' | 'write-earlier' | 'hold';
type Run = { line: Record<string, unknown>; child: ChildProcess; exited: Promise<number | null> };

/** Runs the demo CRM process on this file's DATA_DIR to its end (or, for `hold`, until it is serving) and returns its JSON line. */
function demoCrm(command: Command, ...args: string[]): Promise<Run> {
  return demoCrmOn(dataDir, command, ...args);
}

function demoCrmOn(dir: string, command: Command, ...args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, command, dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve({ line: JSON.parse(line) as Record<string, unknown>, child, exited });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => setTimeout(() => reject(new Error(`demo CRM process ended without an answer: ${output}`)), 100));
  });
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'switchboard-demo-crm-'));
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the demo CRM’s notes under DATA_DIR (npm start)', () => {
  it('keeps a note written before a restart', async () => {
    const transferId = `transfer-${randomUUID()}`;

    const written = await demoCrm('write', transferId);
    expect(await written.exited).toBe(0);
    const read = await demoCrm('read', transferId);

    expect(await read.exited).toBe(0);
    expect(read.line.note).toEqual({
      noteId: written.line.noteId,
      transferId,
      status: 'pending-transfer',
      statusReason: null,
      text: `Transfer to agent a-ana in billing, urgency medium.\nReason: question about my invoice\nTransfer id: ${transferId}`,
    });
  }, 60_000);

  it('is served to the operator CLI while npm start holds it, and refused to a second Switchboard on the same DATA_DIR', async () => {
    const transferId = `transfer-${randomUUID()}`;
    expect(await (await demoCrm('write', transferId)).exited).toBe(0);
    const holder = await demoCrm('hold');

    const second = await demoCrm('read', transferId);
    expect(await second.exited).toBe(1);
    expect(second.line.error).toBe(
      `DATA_DIR: the demo CRM's store in ${dataDir} is open in another Switchboard process (pid ${holder.child.pid}); stop it, give this process its own DATA_DIR, or set CRM_URL to a shared CRM`,
    );

    // What `npx switchboard transfers show` does when CRM_URL is unset.
    const cli = await createCrm(loadConfig({ DATA_DIR: dataDir }), { contactCenter: demoContactCenter(), demoNotes: 'attach' });
    try {
      expect(await cli.findTransferNote(transferId)).toMatchObject({ transferId, status: 'pending-transfer' });
    } finally {
      await cli.close();
    }

    holder.child.kill('SIGTERM');
    expect(await holder.exited).toBe(0);
    expect(() => readFileSync(path.join(dataDir, 'crm-store.owner.json'))).toThrow();
  }, 90_000);

  it('takes over the claim a crashed process left behind', async () => {
    writeFileSync(path.join(dataDir, 'crm-store.owner.json'), JSON.stringify({ pid: 2 ** 22 + 17, url: null }));
    const transferId = `transfer-${randomUUID()}`;

    expect(await (await demoCrm('write', transferId)).exited).toBe(0);
  }, 60_000);

  it('keeps every status of the lifecycle across a restart, and ignores a refused move after one', async () => {
    const prefix = `transfer-${randomUUID()}`;

    const walked = await demoCrm('walk', prefix);
    expect(await walked.exited).toBe(0);
    expect(walked.line.changes).toEqual(Object.fromEntries(TRANSFER_NOTE_STATUSES.map((status) => [status, pathTo(status).map(() => true)])));
    const late = await demoCrm('mark', `${prefix}-transferred`, 'not-transferred', 'late compensation');
    expect(late.line).toEqual({ changed: false });
    expect(await late.exited).toBe(0);
    const read = await demoCrm('read-all', prefix);

    expect(read.line.notes).toEqual(
      TRANSFER_NOTE_STATUSES.map((status) =>
        expect.objectContaining({ transferId: `${prefix}-${status}`, status, statusReason: status === 'pending-transfer' ? null : `marked ${status}` }),
      ),
    );
  }, 90_000);

  it('moves a store the previous version left (schema version 1) forward on open, keeping its notes', async () => {
    const earlierDir = mkdtempSync(path.join(tmpdir(), 'switchboard-demo-crm-earlier-'));
    const transferId = `transfer-${randomUUID()}`;
    try {
      const written = await demoCrmOn(earlierDir, 'write-earlier', transferId);
      expect(await written.exited).toBe(0);

      const marked = await demoCrmOn(earlierDir, 'mark', transferId, 'transferred', 'agent a-ana answered');
      expect(marked.line).toEqual({ changed: true });
      expect(await marked.exited).toBe(0);
      const read = await demoCrmOn(earlierDir, 'read', transferId);

      expect(read.line.note).toMatchObject({ noteId: written.line.noteId, transferId, status: 'transferred', statusReason: 'agent a-ana answered' });
    } finally {
      rmSync(earlierDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('without npm start running on its DATA_DIR, the CLI does not claim there is no note: the read fails naming the DATA_DIR it looked in', async () => {
    const cli = await createCrm(loadConfig({ DATA_DIR: dataDir }), { contactCenter: demoContactCenter(), demoNotes: 'attach' });

    expect(cli).toBeInstanceOf(DemoCrm);
    await expect(cli.findTransferNote(`transfer-${randomUUID()}`)).rejects.toThrow(
      `no npm start serves the demo CRM's notes from DATA_DIR ${dataDir}; the notes are read from the npm start running on that DATA_DIR, so run this with the DATA_DIR npm start uses`,
    );
  });
});

describe('the demo CRM’s notes in memory (processes run apart without CRM_URL)', () => {
  const note = () => transferNote(`transfer-${randomUUID()}`);

  it('keeps every status of the lifecycle and its reason', async () => {
    await expectEveryStatusToRoundTrip(new DemoCrm(demoContactCenter()), note);
  });

  it('ignores a move the lifecycle refuses, answering that nothing changed', async () => {
    await expectRefusedMovesIgnored(new DemoCrm(demoContactCenter()), note);
  });
});
