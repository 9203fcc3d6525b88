import { mkdirSync } from 'node:fs';
import { SUITE_GOCACHE } from './toolchains.js';

// Runs once per jest run: every test process shares this GOCACHE, so a target's standard
// library is compiled once per toolchain for the whole suite.
export default function globalSetup(): void {
  mkdirSync(SUITE_GOCACHE, { recursive: true });
  process.env.GOCACHE = SUITE_GOCACHE;
}
