#!/usr/bin/env node
// The command-line entry point (package.json `bin`): nothing but the call.
import { runCli } from './cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
