import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

// The layers a new engineer relies on when finding a piece by its folder: contracts at the bottom, workflow
// code that reaches only what the workflow sandbox may run, integrations that never reach into workflows, and
// no import circles anywhere (a circle makes load order, and so behaviour, depend on who imports first).

const SRC = resolve(__dirname, '../../src');

interface Module {
  file: string;
  /** Files under src it imports (type-only imports included). */
  local: string[];
  /** Packages it imports, by name (`@temporalio/workflow`, `zod`, `node:crypto`). */
  packages: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function resolveLocal(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const found = [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  if (!found) throw new Error(`${relative(SRC, from)} imports ${specifier}, which does not resolve`);
  return found;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const modules = new Map<string, Module>(
  sourceFiles(SRC).map((file) => {
    const specifiers = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((imported) => imported.fileName);
    const local = specifiers.filter((specifier) => specifier.startsWith('.')).map((specifier) => resolveLocal(file, specifier));
    const packages = specifiers.filter((specifier) => !specifier.startsWith('.')).map(packageName);
    return [file, { file, local, packages }];
  }),
);

const name = (file: string) => relative(SRC, file);

/** Strongly connected components of more than one file (Tarjan). */
function circles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of modules.get(file)?.local ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(name(member));
    } while (member !== file);
    if (component.length > 1) found.push(component.sort());
  };
  for (const file of modules.keys()) if (!index.has(file)) visit(file);
  return found;
}

/** Every file the workflow bundle pulls in, from the workflows' entry point. */
function workflowBundleFiles(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of modules.get(file)?.local ?? []) visit(next);
  };
  visit(join(SRC, 'workflows/index.ts'));
  return [...seen];
}

describe('the layers of src', () => {
  it('has no import circles', () => {
    expect(circles()).toEqual([]);
  });

  it('keeps workflow code to workflows, contracts and routing, and to the SDK packages the workflow sandbox runs', () => {
    const files = workflowBundleFiles();
    expect(files.map(name).filter((file) => !/^(workflows|contracts|routing)\//.test(file))).toEqual([]);
    const packages = new Set(files.flatMap((file) => modules.get(file)?.packages ?? []));
    expect([...packages].filter((pkg) => !['@temporalio/workflow', '@temporalio/common'].includes(pkg))).toEqual([]);
    // The workflows themselves speak only @temporalio/workflow (an error is known by its name, not its class).
    const workflowFiles = files.filter((file) => name(file).startsWith('workflows/'));
    expect(workflowFiles.flatMap((file) => modules.get(file)!.packages.filter((pkg) => pkg !== '@temporalio/workflow').map((pkg) => `${name(file)} -> ${pkg}`))).toEqual([]);
  });

  it('lets no integration, API or operations module import workflow code', () => {
    const offenders = [...modules.values()]
      .filter((module) => /^(integrations|api|operations|activities)\//.test(name(module.file)))
      .flatMap((module) => module.local.filter((file) => name(file).startsWith('workflows/')).map((file) => `${name(module.file)} -> ${name(file)}`));
    expect(offenders).toEqual([]);
  });
});
