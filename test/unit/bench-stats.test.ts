import { percentile, spread, summarize } from '../../bench/harness/stats';

describe('benchmark latency statistics', () => {
  it('reports nearest-rank percentiles that are always observed samples', () => {
    const samples = Array.from({ length: 100 }, (_, index) => index + 1); // 1..100 ms

    const summary = summarize(samples);

    expect(summary).toMatchObject({ count: 100, min: 1, p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5 });
  });

  it('puts a single slow request at p99 only once there are at least a hundred samples', () => {
    const fast = Array.from({ length: 99 }, () => 10);

    expect(summarize([...fast, 500]).p99).toBe(10);
    expect(summarize([...fast.slice(1), 500]).p99).toBe(500);
  });

  it('sorts its input without changing the caller’s array', () => {
    const samples = [30, 10, 20];

    expect(summarize(samples).p50).toBe(20);
    expect(samples).toEqual([30, 10, 20]);
  });

  it('answers NaN rather than zero for an empty series, so a missing figure cannot pass a target', () => {
    expect(Number.isNaN(summarize([]).p99)).toBe(true);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });

  it('gives the mean and range of a figure over repeated runs', () => {
    expect(spread([40, 50, 60])).toEqual({ mean: 50, min: 40, max: 60 });
  });
});
