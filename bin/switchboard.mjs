#!/usr/bin/env node
// `npx switchboard …`: the operator CLI. Runs the TypeScript sources through tsx, like every other script here.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

function resolvable(id) {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}

// A fresh clone has no node_modules: run the project's set-up first, as every npm script does, then go on.
// Its output goes to stderr, so what the command prints on stdout stays the command's own.
if (!resolvable('tsx/cjs/api')) {
  process.stderr.write('switchboard: dependencies are not installed yet; running the set-up first (node scripts/setup.mjs --no-cli: npm ci)\n');
  const setup = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/setup.mjs', import.meta.url)), '--no-cli'], {
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (setup.status !== 0) {
    process.stderr.write(`switchboard: the set-up failed (exit ${setup.status ?? setup.signal}); run \`npm run setup\` to see why\n`);
    process.exit(1);
  }
}

require('tsx/cjs/api').register();
require('../src/cli/switchboard.ts');
