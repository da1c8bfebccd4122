// `tributary start`: opens the node with its embedded defaults, seeds the demo data on
// first start, serves the API on 127.0.0.1, and shuts down cleanly on a signal.
import { buildServer } from '../api/server.ts';
import { type ConfigFlags, loadConfig } from '../node/config.ts';
import { DEMO_MODEL, DEMO_TEXT_DATANET, seedDemo } from '../node/demo.ts';
import { TributaryNode } from '../node/node.ts';
import { Progress } from './progress.ts';

export async function runStart(flags: ConfigFlags): Promise<void> {
  const config = loadConfig(flags);
  const node = await TributaryNode.open(config);
  const bars = new Map<string, Progress>();
  // Only the sequencing node seeds: another node of a cluster would race it (and queue each step).
  const seeded = config.demo && node.sequencing
    ? await seedDemo(node, (label, done, total) => {
        let bar = bars.get(label);
        if (!bar) bars.set(label, (bar = new Progress({ label, total, unit: 'steps' })));
        bar.update(done, total);
        if (done === total) bar.finish();
      })
    : false;
  const app = await buildServer(node, { logger: process.env.TRIBUTARY_LOG === '1' });
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host}:${port}`;
  const nodeFlag = port === 8790 ? '' : ` --node ${url}`;
  console.log(`Tributary node listening on ${url}`);
  console.log(`  explorer        ${url}/ (open it in a browser)`);
  console.log(`  data directory  ${config.dataDir}`);
  console.log(`  log             ${node.size} entries; origin ${node.params.origin}`);
  if (config.databaseUrl)
    console.log(`  database        PostgreSQL; this node ${node.sequencing ? 'holds the sequencer lease' : 'queues its writes for the node that sequences'}`);
  console.log(`  verifier key    ${node.key.verifierKey}`);
  if (seeded) console.log(`  demo data       created datanets ${DEMO_TEXT_DATANET} and demo-river-qa${config.dev && node.moneyKind === 'play' ? `, base model, an adapter trained by a demo worker, model ${DEMO_MODEL}@1 with 3 settled inferences, epoch 1` : ''}`);
  if (config.chain) console.log(`  chain           ${config.chain.rpcUrl} (chain ${config.chain.chainId}); tributary chain status shows the worker`);
  console.log(`  money           ${node.moneyKind === 'play' ? 'play money (the dev faucet; never paid out on chain)' : 'real money (deposits on the bound chain only; no faucet)'}, fixed at genesis`);
  if (config.dev) console.log(`  dev mode        ${node.moneyKind === 'play' ? 'faucet and ' : ''}hand-recorded inferences on; epochs close every ${config.epochSeconds || 'never'}${config.epochSeconds ? ' s' : ''} (NODE_ENV=production turns dev mode off)`);
  console.log('');
  console.log('Next, in another terminal:');
  console.log(`  ./bin/tributary.js datanet list${nodeFlag}`);
  console.log(`  ./bin/tributary.js account new --name me${nodeFlag}`);
  console.log(`  ./bin/tributary.js contribute ${DEMO_TEXT_DATANET} README.md${nodeFlag}`);
  console.log(`  ./bin/tributary.js log checkpoint${nodeFlag}`);
  console.log(`  ./bin/tributary.js models show ${DEMO_MODEL}@1${nodeFlag}`);
  console.log(`  ./bin/tributary.js earnings --by contributions${nodeFlag}`);
  console.log(config.databaseUrl ? '  DATABASE_URL=… ./bin/tributary.js verify --database' : `  ./bin/tributary.js verify --data ${config.dataDir}`);
  console.log(`  open ${url}/openapi.json for the API`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: closing`);
    await app.close();
    node.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
