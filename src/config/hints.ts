import type { AppConfig } from './env';
import { loadConfig } from './env';

/** The variables a printed command may need to reach the same service as the process that printed it. */
export type HintVariable = 'PORT' | 'DATA_DIR' | 'DEV_SERVER_PORT' | 'TEMPORAL_ADDRESS';

const VALUE: Record<HintVariable, (config: Readonly<AppConfig>) => string | undefined> = {
  PORT: (config) => String(config.port),
  DATA_DIR: (config) => config.dataDir,
  DEV_SERVER_PORT: (config) => String(config.devServer.port),
  TEMPORAL_ADDRESS: (config) => config.temporal.address,
};

const shellWord = (value: string) => (/^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/**
 * What to put before a command a hint prints ("Try it: …", "Inspect it: …") so it reaches this same service:
 * `PORT=3100 DATA_DIR=/abs/path ` for those of `names` that differ from their defaults (read from the one
 * config schema), nothing when all are the defaults.
 */
export function settingsPrefix(config: Readonly<AppConfig>, names: readonly HintVariable[]): string {
  const defaults = loadConfig({});
  return names
    .map((name) => ({ name, value: VALUE[name](config) }))
    .filter(({ name, value }) => value !== undefined && value !== VALUE[name](defaults))
    .map(({ name, value }) => `${name}=${shellWord(value!)} `)
    .join('');
}
