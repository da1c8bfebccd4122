// `tributary start`: the flags of the node command. The node itself is started by
// ../start.ts; this file only turns flags into its options.
import type { Command } from 'commander';
import { runStart } from '../start.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start a node on this machine (SQLite, a data directory and a fresh node key by default)')
    .option('--data <dir>', 'data directory (env TRIBUTARY_DATA; default ~/.tributary/node)')
    .option('--port <n>', 'port (env TRIBUTARY_PORT; default 8790)')
    .option('--host <host>', 'interface to listen on (env TRIBUTARY_HOST; default 127.0.0.1)')
    .option('--chain-id <n>', 'EIP-712 chain id, fixed in the genesis entry (env TRIBUTARY_CHAIN_ID; default 31337)')
    .option('--no-demo', 'do not create the demo datanets on first start')
    .action(async (opts: { data?: string; port?: string; host?: string; chainId?: string; demo: boolean }, cmd: Command) => {
      // Without --no-demo, leave the choice to TRIBUTARY_DEMO and the default.
      const demo = cmd.getOptionValueSource('demo') === 'default' ? undefined : opts.demo;
      await runStart({ data: opts.data, port: opts.port, host: opts.host, chainId: opts.chainId, demo });
    });
}
