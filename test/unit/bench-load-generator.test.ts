import { burstSchedule, openLoopSchedule, parseBurst, runOpenLoop } from '../../bench/harness/load-generator';

describe('open-loop load schedule', () => {
  it('spaces 20 requests a second 50 ms apart for the whole duration', () => {
    const schedule = openLoopSchedule({ ratePerSecond: 20, durationSeconds: 3 });

    expect(schedule).toHaveLength(60);
    expect(schedule.slice(0, 3)).toEqual([0, 50, 100]);
    expect(schedule.at(-1)).toBe(2950);
  });

  it('cuts a burst by count: 300 at 100 a second takes three seconds', () => {
    const schedule = burstSchedule({ count: 300, ratePerSecond: 100 });

    expect(schedule).toHaveLength(300);
    expect(schedule[1]).toBe(10);
    expect(schedule.at(-1)).toBe(2990);
  });

  it('reads a burst given as count@rate and refuses anything else', () => {
    expect(parseBurst('300@100')).toEqual({ count: 300, ratePerSecond: 100 });
    expect(() => parseBurst('300/100')).toThrow(/count@rate/);
  });

  it('keeps firing on schedule while earlier requests are still unanswered', async () => {
    const fired: number[] = [];
    const never = new Promise<void>(() => undefined);
    const schedule = openLoopSchedule({ ratePerSecond: 200, durationSeconds: 0.05 });

    const run = await runOpenLoop(schedule, (index) => {
      fired.push(index);
      void never; // an answer that never comes must not hold the next request back
    });

    expect(fired).toEqual([...schedule.keys()]);
    expect(run.maxLagMs).toBeLessThan(1000);
  });

  it('fires every request that fell due while the generator was held up, and reports the lag', async () => {
    let now = 0;
    const fired: { index: number; scheduledAt: number }[] = [];

    const run = await runOpenLoop(
      [0, 10, 20],
      (index, scheduledAt) => {
        fired.push({ index, scheduledAt });
        now += 25; // the first send blocks the generator past the other two
      },
      () => now,
    );

    expect(fired).toEqual([
      { index: 0, scheduledAt: 0 },
      { index: 1, scheduledAt: 10 },
      { index: 2, scheduledAt: 20 },
    ]);
    expect(run.maxLagMs).toBe(30);
  });
});
