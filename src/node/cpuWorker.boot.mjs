// Worker-thread entry: workers do not inherit the main thread's TypeScript loader, so
// register tsx here before loading the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./cpuWorker.ts');
