import { condition, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
type A = { noop(x: unknown): Promise<unknown> };
const act = proxyActivities<A>({ startToCloseTimeout: '5s' });
const local = proxyLocalActivities<A>({ startToCloseTimeout: '5s' });
export const go = defineSignal('go');
export const bump = defineUpdate<number>('bump');
export async function empty(): Promise<void> {}
export async function oneActivity(): Promise<void> { await act.noop(1); }
export async function oneLocal(): Promise<void> { await local.noop(1); }
export async function sixLocals(): Promise<void> { await Promise.all([local.noop(1), local.noop(2), local.noop(3), local.noop(4)]); await local.noop(5); await local.noop(6); }
export async function bigLocal(): Promise<void> { await local.noop('x'.repeat(10_000)); }
export async function waitSignal(): Promise<void> { let got = false; setHandler(go, () => { got = true; }); await condition(() => got); }
export async function entity(): Promise<void> { let n = 0; setHandler(bump, () => ++n); setHandler(go, () => { n += 1; }); await condition(() => n >= 1_000_000); }
export async function memo(): Promise<void> { upsertMemo({ a: 'x'.repeat(3000) }); }
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
const Dept = defineSearchAttributeKey('TransferDepartment', SearchAttributeType.KEYWORD);
const Out = defineSearchAttributeKey('TransferOutcome', SearchAttributeType.KEYWORD);
export async function saEnd(): Promise<void> { upsertSearchAttributes([{ key: Dept, value: 'billing' }, { key: Out, value: 'transferred' }]); }
export async function saMemoEnd(): Promise<void> { upsertSearchAttributes([{ key: Dept, value: 'billing' }, { key: Out, value: 'transferred' }]); upsertMemo({ a: 'x'.repeat(3000) }); }
export async function saTwice(): Promise<void> { upsertSearchAttributes([{ key: Dept, value: 'billing' }]); await local.noop(1); upsertSearchAttributes([{ key: Out, value: 'transferred' }]); }
