// `tributary account new|list`: the local accounts the CLI signs with. Keys are stored
// unencrypted in the keystore file; this command never prints them.
import type { Command } from 'commander';
import { CliContext } from '../context.ts';
import { table } from '../../format/text.ts';

export function registerAccount(program: Command): void {
  const account = program
    .command('account')
    .description('local EVM accounts to sign with (keys are stored UNENCRYPTED in the keystore, mode 0600)')
    .addHelpText(
      'after',
      '\nThe keystore (--keystore / TRIBUTARY_KEYSTORE, default ~/.tributary/keystore.json) holds each\n' +
        "account's private key in plain hex, readable only by you (0600). Anyone who can read the file\n" +
        'can sign as these accounts; keep real funds elsewhere.',
    );

  account
    .command('new')
    .description('generate a new account and add it to the keystore (stored unencrypted)')
    .option('--name <name>', 'a name to refer to it by with --from (default accountN)')
    .action((opts: { name?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const ks = ctx.keystore();
      const a = ks.create(opts.name);
      ctx.out({ name: a.name, address: a.address, keystore: ks.path, default: ks.accounts()[0].address === a.address }, () => [
        `created account ${a.name}  ${a.address}`,
        `  its private key is stored UNENCRYPTED in ${ks.path} (mode 0600)`,
        ...(ks.accounts().length === 1 ? ['  it is the default signer (the first account); choose another with --from'] : []),
      ]);
    });

  account
    .command('list')
    .description('list the accounts in the keystore; the first one signs unless --from says otherwise')
    .action((_opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const ks = ctx.keystore();
      const accounts = ks.accounts().map((a, i) => ({ name: a.name, address: a.address, default: i === 0 }));
      ctx.out({ keystore: ks.path, accounts }, () =>
        accounts.length === 0
          ? [`no accounts in ${ks.path}; create one with: tributary account new --name NAME`]
          : [...table([['', 'NAME', 'ADDRESS'], ...accounts.map((a) => [a.default ? '*' : '', a.name, a.address])]), `(keystore ${ks.path})`],
      );
    });
}
