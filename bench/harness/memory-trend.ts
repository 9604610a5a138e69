import { readProc } from './proc-stats';

/** One reading of the worker's memory during a soak. */
export interface MemorySample {
  /** Seconds since sampling began. */
  atSeconds: number;
  rssMb: number;
  /** The main thread's V8 heap in use (workflow threads have their own), from the process's /metrics; null when unread. */
  heapUsedMb: number | null;
}

export interface LinearFit {
  /** Per unit of x. */
  slope: number;
  intercept: number;
  /** Standard deviation of the points around the line. */
  residualSd: number;
}

/** Least squares over (x, y) points; a single point (or none) has no slope. */
export function linearFit(points: readonly { x: number; y: number }[]): LinearFit {
  const n = points.length;
  if (n < 2) return { slope: 0, intercept: points[0]?.y ?? Number.NaN, residualSd: 0 };
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  const sxx = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  const sxy = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = meanY - slope * meanX;
  const residualSd = Math.sqrt(points.reduce((sum, p) => sum + (p.y - (intercept + slope * p.x)) ** 2, 0) / Math.max(1, n - 2));
  return { slope, intercept, residualSd };
}

export interface SeriesTrend {
  startMb: number;
  endMb: number;
  maxMb: number;
  slopeMbPerMinute: number;
  /** The slope over the second half of the window alone: near zero when memory filled up and levelled off. */
  lateSlopeMbPerMinute: number;
  /** The fitted line's rise over the judged window. */
  growthMb: number;
  /** What the growth must exceed to count: max(2 × residual SD, the floor). */
  noiseMb: number;
  grows: boolean;
}

export interface MemoryTrend {
  samples: number;
  /** Minutes judged (after the settling time). */
  windowMinutes: number;
  rss: SeriesTrend;
  heapUsed: SeriesTrend | null;
  /** Neither RSS nor heap grows. */
  flat: boolean;
  criterion: string;
}

export const MEMORY_CRITERION = {
  /** Start-up, JIT and connection pools settle first. */
  settleSeconds: 60,
  /** A rise smaller than this is no leak worth the name on a process of a few hundred MB. */
  floorMb: 5,
};

function seriesTrend(points: readonly { x: number; y: number }[], floorMb: number): SeriesTrend {
  const fit = linearFit(points);
  const window = points.length > 1 ? points[points.length - 1]!.x - points[0]!.x : 0;
  const growthMb = fit.slope * window;
  const middle = points.length > 0 ? points[0]!.x + window / 2 : 0;
  const noiseMb = Math.max(2 * fit.residualSd, floorMb);
  return {
    startMb: points[0]?.y ?? Number.NaN,
    endMb: points[points.length - 1]?.y ?? Number.NaN,
    maxMb: Math.max(...points.map((p) => p.y)),
    slopeMbPerMinute: fit.slope,
    lateSlopeMbPerMinute: linearFit(points.filter((p) => p.x >= middle)).slope,
    growthMb,
    noiseMb,
    grows: growthMb > noiseMb,
  };
}

/**
 * Whether memory grows over a soak. After the settling time, RSS and heap in use are each fitted with a line
 * against minutes; a series grows when the line's rise over the window exceeds both twice the samples' scatter
 * around it (a trend, not noise: GC's saw-tooth) and the floor (a leak, not a cache filling).
 */
export function memoryTrend(samples: readonly MemorySample[], criterion = MEMORY_CRITERION): MemoryTrend | null {
  const judged = samples.filter((sample) => sample.atSeconds >= criterion.settleSeconds);
  if (judged.length < 3) return null;
  const rss = seriesTrend(judged.map((s) => ({ x: s.atSeconds / 60, y: s.rssMb })), criterion.floorMb);
  const heapPoints = judged.filter((s) => s.heapUsedMb !== null).map((s) => ({ x: s.atSeconds / 60, y: s.heapUsedMb! }));
  const heapUsed = heapPoints.length >= 3 ? seriesTrend(heapPoints, criterion.floorMb) : null;
  return {
    samples: samples.length,
    windowMinutes: (judged[judged.length - 1]!.atSeconds - judged[0]!.atSeconds) / 60,
    rss,
    heapUsed,
    flat: !rss.grows && !(heapUsed?.grows ?? false),
    criterion: `after the first ${criterion.settleSeconds} s, a least-squares line per series (RSS, heap used); it grows when the line's rise over the window exceeds max(2 × residual SD, ${criterion.floorMb} MB)`,
  };
}

/** The V8 heap in use from a Prometheus text (prom-client's default metrics, whatever their prefix). */
export function heapUsedBytes(metricsText: string): number | null {
  const match = /^\w*nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.eE+-]+)$/m.exec(metricsText);
  return match ? Number(match[1]) : null;
}

/** Reads one process's RSS (from /proc) and heap (from its /metrics) every `intervalMs`. */
export class MemorySampler {
  private readonly samples: MemorySample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly pid: () => number | undefined,
    private readonly metricsUrl: string | undefined,
    private readonly intervalMs = 10_000,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.reading = this.sample();
    this.timer = setInterval(() => {
      this.reading = this.reading.then(() => this.sample());
    }, this.intervalMs);
  }

  async stop(): Promise<MemorySample[]> {
    clearInterval(this.timer);
    await this.reading;
    return [...this.samples];
  }

  private async sample(): Promise<void> {
    const atSeconds = (performance.now() - this.startedAt) / 1000;
    const pid = this.pid();
    const proc = pid === undefined ? null : readProc(pid);
    if (!proc) return;
    let heap: number | null = null;
    if (this.metricsUrl) {
      heap = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(5_000) })
        .then((response) => response.text())
        .then(heapUsedBytes)
        .catch(() => null);
    }
    this.samples.push({ atSeconds, rssMb: proc.rssBytes / 2 ** 20, heapUsedMb: heap === null ? null : heap / 2 ** 20 });
  }
}
