// The action's entry point (action.yml `main`): nothing but the call.
import { runAction } from './action/main.js';

await runAction();
// A cache or artifact call that timed out may still hold a socket open: the step is over.
process.exit();
