// Makes the demo base model, models/demo-base.gguf (see src/models/demoBase.ts for the
// recipe): a small llama with the GPT-2 vocabulary, pretrained from scratch by the
// project's own trainer on text the project generates. Deterministic: rerunning it gives
// the same file. `npm run make-demo-base`; a couple of minutes on 2 cores.
import { Progress } from '../src/cli/progress.ts';
import { DEMO_BASE, demoBasePath, makeDemoBase } from '../src/models/demoBase.ts';

const out = process.argv[2] ?? demoBasePath();
const bar = new Progress({ label: 'pretraining the demo base model', total: DEMO_BASE.steps, unit: 'steps' });
const r = await makeDemoBase(out, (step, steps) => bar.update(step, steps));
bar.finish();
console.log(`wrote ${out}\n  sha256 ${r.hash}\n  training loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)} nats/token over ${DEMO_BASE.steps} steps`);
