#!/usr/bin/env node
// The CLI is written in TypeScript and shares src/lib with the site; tsx runs it without a
// build step, on every Node version the project supports.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
