import { sharedReader } from '../../src/activities/routing';

describe('the shared read of agents’ live state', () => {
  it('sends one query for transfers routed at the same moment', async () => {
    let reads = 0;
    let release!: (value: string) => void;
    const read = sharedReader(() => {
      reads += 1;
      return new Promise<string>((resolve) => (release = resolve));
    }, { maxAgeMs: 250, timeoutMs: 2_000 });

    const answers = Promise.all([read(), read(), read()]);
    release('pool state');

    await expect(answers).resolves.toEqual(['pool state', 'pool state', 'pool state']);
    expect(reads).toBe(1);
  });

  it('reuses an answer only while it is younger than the allowed age, counted from when the read began', async () => {
    let now = 1_000;
    let reads = 0;
    const read = sharedReader(async () => `state ${++reads}`, { maxAgeMs: 250, timeoutMs: 2_000, now: () => now });

    await read();
    now += 250;
    await expect(read()).resolves.toBe('state 1');
    now += 1;
    await expect(read()).resolves.toBe('state 2');
  });

  it('does not keep a failed read: the next transfer asks again', async () => {
    let reads = 0;
    const read = sharedReader(async () => {
      reads += 1;
      if (reads === 1) throw new Error('query buffer is full');
      return 'state';
    }, { maxAgeMs: 250, timeoutMs: 2_000 });

    await expect(read()).rejects.toThrow('query buffer is full');
    await expect(read()).resolves.toBe('state');
  });

  it('gives up on a read that hangs and starts a fresh one for the next transfer', async () => {
    let reads = 0;
    const read = sharedReader(() => {
      reads += 1;
      return reads === 1 ? new Promise<string>(() => undefined) : Promise.resolve('state');
    }, { maxAgeMs: 250, timeoutMs: 20 });

    await expect(read()).rejects.toThrow('no answer within 20 ms');
    await expect(read()).resolves.toBe('state');
    expect(reads).toBe(2);
  });
});
