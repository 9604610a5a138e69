import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { spawnProcess } from './processes';

/** Where other commits are checked out for `--ref` (ignored by git). */
export const REFS_DIR = path.join(PROJECT_ROOT, 'bench', '.refs');

export interface RefCheckout {
  /** As given on the command line. */
  ref: string;
  commit: string;
  root: string;
  /** linked: this checkout's node_modules (same dependencies); installed: `npm ci` in the checkout. */
  nodeModules: 'linked' | 'installed';
}

const git = (args: string[], cwd = PROJECT_ROOT) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The dependencies a package.json asks for: two checkouts with the same can share one node_modules. */
export function dependencySignature(packageJson: string): string {
  const manifest = JSON.parse(packageJson) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const sorted = (deps: Record<string, string> = {}) => Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ dependencies: sorted(manifest.dependencies), devDependencies: sorted(manifest.devDependencies) });
}

/**
 * Checks `ref` out as a detached git worktree under bench/.refs/<commit>, so the bench can run that commit's
 * Switchboard with this checkout's instruments, on the same machine and the same day. The worktree is kept for
 * the next run. Its node_modules is a link to this checkout's when both package.json files ask for the same
 * dependencies, else its own `npm ci`.
 */
export async function checkoutRef(ref: string, logDir: string): Promise<RefCheckout> {
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--ref ${ref}: not a commit in ${PROJECT_ROOT}`);
  }
  const root = path.join(REFS_DIR, commit.slice(0, 12));
  if (!existsSync(path.join(root, '.git'))) {
    mkdirSync(REFS_DIR, { recursive: true });
    rmSync(root, { recursive: true, force: true });
    git(['worktree', 'prune']);
    git(['worktree', 'add', '--detach', root, commit]);
  } else if (git(['rev-parse', 'HEAD'], root) !== commit) {
    throw new Error(`${root} is not at ${commit}: remove it (git worktree remove --force ${root}) and run again`);
  }
  const modules = path.join(root, 'node_modules');
  const same = dependencySignature(readFileSync(path.join(root, 'package.json'), 'utf8')) === dependencySignature(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  const linked = existsSync(modules) && lstatSync(modules).isSymbolicLink();
  if (same) {
    if (!existsSync(modules)) symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), modules, 'dir');
    return { ref, commit, root, nodeModules: lstatSync(modules).isSymbolicLink() ? 'linked' : 'installed' };
  }
  if (linked) rmSync(modules);
  if (!existsSync(modules)) {
    process.stdout.write(`  ${ref}: other dependencies than this checkout; npm ci in ${path.relative(PROJECT_ROOT, root)}\n`);
    const install = spawnProcess('npm', ['ci', '--no-audit', '--no-fund'], { name: 'npm ci', cwd: root, logFile: path.join(logDir, 'ref-npm-ci.log') });
    if ((await install.exited) !== 0) throw new Error(`npm ci failed in ${root}:\n${install.outputTail()}`);
  }
  return { ref, commit, root, nodeModules: 'installed' };
}
