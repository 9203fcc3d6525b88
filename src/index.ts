// The action's entry point (action.yml `main`): nothing but the call.
import { runAction } from './action/main.js';

await runAction();
