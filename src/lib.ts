// The bundle's single module: both entry points (dist/index.js, dist/cli.js) import from it,
// so the action and the CLI ship one copy of the engine and its dependencies. verifyFile is
// exported for programs (and the benchmark) that want the verifier in-process.
export { runAction } from './action/main.js';
export { runCli } from './cli/main.js';
export { verifyFile } from './verify/index.js';
