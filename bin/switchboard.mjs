#!/usr/bin/env node
// `npx switchboard …`: the operator CLI. Runs the TypeScript sources through tsx, like every other script here.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
require('../src/cli/switchboard.ts');
