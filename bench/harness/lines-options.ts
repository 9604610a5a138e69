/** What `--lines` adds to the bench's options (see HELP in bench-options.ts). */
export interface LinesOptions {
  /** What the generated agents serve per second (agents / mean handle time). */
  servePerSecond: number;
  /** Share of the callers told they wait whom the fake Vapi hangs up during their wait. */
  abandonShare: number;
  /** Overrides of the lines' limits; default derived from the load (lines-center.ts). */
  maxWaitSeconds?: number;
  maxWaiting?: number;
}

/** The scaled-down defaults of this 2-core machine (BENCHMARKS.md, "Lines under load"). */
export const LINES_DEFAULT_RATE = 6;
export const LINES_DEFAULT_DURATION_SECONDS = 60;
/** Agents serve this share of the arrival rate unless --serve-rate says otherwise: the line grows by a quarter of the arrivals. */
export const LINES_DEFAULT_SERVE_SHARE = 0.75;

export function readLinesOptions(
  values: { 'serve-rate'?: string; abandon?: string; 'max-wait'?: string; 'max-waiting'?: string },
  rate: number,
): LinesOptions {
  const number = (name: string, text: string, valid: (value: number) => boolean, what: string) => {
    const value = Number(text);
    if (!valid(value)) throw new Error(`--${name} must be ${what}, got "${text}"`);
    return value;
  };
  const servePerSecond = values['serve-rate'] === undefined ? rate * LINES_DEFAULT_SERVE_SHARE : number('serve-rate', values['serve-rate'], (value) => value > 0, 'a positive number');
  const abandonShare = number('abandon', values.abandon ?? '0.1', (value) => value >= 0 && value <= 1, 'a share between 0 and 1');
  return {
    servePerSecond,
    abandonShare,
    ...(values['max-wait'] === undefined ? {} : { maxWaitSeconds: number('max-wait', values['max-wait'], (value) => Number.isInteger(value) && value >= 10 && value <= 3_600, 'whole seconds, 10 to 3600') }),
    ...(values['max-waiting'] === undefined ? {} : { maxWaiting: number('max-waiting', values['max-waiting'], (value) => Number.isInteger(value) && value >= 1, 'a whole number, at least 1') }),
  };
}
