import { writeFileSync } from 'node:fs';

export interface HistogramSeries {
  /** e.g. "switchboard" or "baseline". */
  system: string;
  /** e.g. "webhook → transfer". */
  metric: string;
  samplesMs: readonly number[];
}

/** Log-spaced bin edges (four per doubling): baseline milliseconds and Switchboard tens of ms share one axis. */
export function logBins(minMs: number, maxMs: number): number[] {
  const edges: number[] = [];
  let edge = 2 ** Math.floor(Math.log2(Math.max(0.1, minMs)));
  while (edge <= maxMs) {
    edges.push(edge);
    edge *= 2 ** 0.25;
  }
  edges.push(edge);
  return edges;
}

/** Counts per bin, as rows a vega-lite bar chart can draw with x/x2 (exported for tests). */
export function binRows(series: readonly HistogramSeries[]): { system: string; metric: string; from: number; to: number; share: number }[] {
  const all = series.flatMap((entry) => entry.samplesMs).filter((value) => value > 0);
  if (all.length === 0) return [];
  const edges = logBins(Math.min(...all), Math.max(...all));
  return series.flatMap((entry) => {
    const counts = new Array<number>(edges.length - 1).fill(0);
    for (const value of entry.samplesMs) {
      const index = edges.findIndex((edge, i) => i < edges.length - 1 && value < edges[i + 1]!);
      counts[index < 0 ? counts.length - 1 : index]! += 1;
    }
    return counts.flatMap((count, index) =>
      count === 0 ? [] : [{ system: entry.system, metric: entry.metric, from: edges[index]!, to: edges[index + 1]!, share: count / entry.samplesMs.length }],
    );
  });
}

// vega and vega-lite are ESM-only with `exports` maps that this project's `moduleResolution: node` cannot
// read; these are the few members used, and the modules are loaded at run time only.
interface VegaLite {
  compile(spec: unknown): { spec: unknown };
}
interface Vega {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, options: { renderer: 'none' }) => { toSVG(): Promise<string> };
}
interface ResvgModule {
  Resvg: new (svg: string, options: unknown) => { render(): { asPng(): Buffer } };
}
const loadModule = (name: string): Promise<unknown> => import(name);

/**
 * Renders latency histograms (one panel per metric, one colour per system, log time axis) to PNG with
 * vega-lite → vega → SVG → resvg: no browser and no native canvas needed.
 */
export async function writeHistogramPng(file: string, title: string, series: readonly HistogramSeries[]): Promise<void> {
  const vl = (await loadModule('vega-lite')) as VegaLite;
  const vega = (await loadModule('vega')) as Vega;
  const { Resvg } = (await loadModule('@resvg/resvg-js')) as ResvgModule;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, fontSize: 14 },
    data: { values: binRows(series) },
    facet: { row: { field: 'metric', type: 'nominal', title: null, header: { labelFontSize: 13, labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: 720,
      height: 180,
      mark: { type: 'rect', opacity: 0.65 },
      encoding: {
        x: { field: 'from', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms, log scale)' },
        x2: { field: 'to' },
        y: { field: 'share', type: 'quantitative', axis: { format: '%' }, title: 'share of requests', stack: null },
        color: { field: 'system', type: 'nominal', title: null, scale: { range: ['#4c78a8', '#f58518', '#54a24b', '#e45756'] } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  const compiled = vl.compile(spec).spec;
  const svg = await new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: 'white' }).render().asPng();
  writeFileSync(file, png);
}
