import { heapUsedBytes, linearFit, memoryTrend } from '../../bench/harness/memory-trend';
import type { MemorySample } from '../../bench/harness/memory-trend';

/** A 10-minute soak sampled every 10 s; `rss` and `heap` give MB at a second. */
function soak(rss: (second: number) => number, heap: (second: number) => number | null = () => 80): MemorySample[] {
  return Array.from({ length: 61 }, (_, index) => ({ atSeconds: index * 10, rssMb: rss(index * 10), heapUsedMb: heap(index * 10) }));
}

// Deterministic scatter in [-1, 1): GC's saw-tooth stands in for noise.
const sawTooth = (second: number) => ((second / 10) % 7) / 3.5 - 1;

describe('worker memory over a soak', () => {
  it('fits a line by least squares', () => {
    const fit = linearFit([0, 1, 2, 3].map((x) => ({ x, y: 10 + 2 * x })));

    expect(fit.slope).toBeCloseTo(2, 10);
    expect(fit.intercept).toBeCloseTo(10, 10);
    expect(fit.residualSd).toBeCloseTo(0, 10);
  });

  it('calls memory flat when it only scatters around a level', () => {
    const trend = memoryTrend(soak((s) => 300 + 8 * sawTooth(s), (s) => 90 + 6 * sawTooth(s)))!;

    expect(trend.flat).toBe(true);
    expect(trend.rss.grows).toBe(false);
    expect(Math.abs(trend.rss.slopeMbPerMinute)).toBeLessThan(0.5);
  });

  it('calls memory growing when RSS climbs steadily, 3 MB a minute', () => {
    const trend = memoryTrend(soak((s) => 300 + (3 * s) / 60 + sawTooth(s)))!;

    expect(trend.rss.slopeMbPerMinute).toBeCloseTo(3, 0);
    expect(trend.rss.grows).toBe(true);
    expect(trend.flat).toBe(false);
  });

  it('calls memory growing when the heap climbs though RSS does not', () => {
    const trend = memoryTrend(soak(() => 300, (s) => 60 + (2 * s) / 60))!;

    expect(trend.rss.grows).toBe(false);
    expect(trend.heapUsed?.grows).toBe(true);
    expect(trend.flat).toBe(false);
  });

  it('tells memory that filled up and levelled off from memory that keeps climbing, by the second half’s slope', () => {
    const levelling = memoryTrend(soak((s) => 300 + Math.min(s, 300) / 10))!;
    const climbing = memoryTrend(soak((s) => 300 + s / 10))!;

    expect(levelling.rss.grows).toBe(true);
    expect(levelling.rss.lateSlopeMbPerMinute).toBeCloseTo(0, 5);
    expect(climbing.rss.lateSlopeMbPerMinute).toBeCloseTo(6, 5);
  });

  it('ignores the first minute, when start-up fills caches', () => {
    const trend = memoryTrend(soak((s) => (s < 60 ? 150 + s * 2 : 300)))!;

    expect(trend.rss.startMb).toBe(300);
    expect(trend.flat).toBe(true);
  });

  it('does not call a rise below the 5 MB floor growth, however steady', () => {
    expect(memoryTrend(soak((s) => 300 + (0.4 * s) / 60))!.rss.grows).toBe(false);
  });

  it('judges RSS alone when the heap could not be read, and nothing from too few samples', () => {
    expect(memoryTrend(soak(() => 300, () => null))!.heapUsed).toBeNull();
    expect(memoryTrend(soak(() => 300).slice(0, 8))).toBeNull();
  });

  it("reads the V8 heap in use from a process's Prometheus text, whatever the prefix", () => {
    const text = ['# TYPE switchboard_nodejs_heap_size_used_bytes gauge', 'switchboard_nodejs_heap_size_used_bytes 52428800', 'switchboard_nodejs_heap_size_total_bytes 99'].join('\n');

    expect(heapUsedBytes(text)).toBe(52_428_800);
    expect(heapUsedBytes('nodejs_heap_size_used_bytes 1024')).toBe(1024);
    expect(heapUsedBytes('process_cpu_seconds_total 3')).toBeNull();
  });
});
