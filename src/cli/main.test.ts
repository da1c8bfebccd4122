import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_MODULES, type CommandModule, commandToRun } from './main.ts';

/** COMMAND_MODULES with each load recorded, by the name of the module's first command. */
function recording(): { modules: CommandModule[]; loaded: string[] } {
  const loaded: string[] = [];
  const modules = COMMAND_MODULES.map((m) => ({
    commands: m.commands,
    load: () => {
      loaded.push(m.commands[0][0].split(' ')[0]);
      return m.load();
    },
  }));
  return { modules, loaded };
}

const topNames = (program: Command) => program.commands.map((c) => c.name());

describe('tributary loads only the command it runs', () => {
  it('loads no command module for --version, --help, no command or an unknown one', async () => {
    for (const argv of [['--version'], ['-V'], ['--help'], ['-h'], [], ['--node', 'http://127.0.0.1:1', '--help'], ['nosuch'], ['--node']]) {
      const { modules, loaded } = recording();
      const program = await buildProgram(argv, { modules });
      expect(loaded, argv.join(' ')).toEqual([]);
      // Every command is still there for the help listing and for "did you mean".
      expect(topNames(program)).toContain('datanet');
    }
  });

  it('loads exactly the module of the command named, past global options and their values', async () => {
    const cases: [string[], string][] = [
      [['datanet', 'list'], 'datanet'],
      [['--node', 'http://127.0.0.1:1', '--json', 'datanet', 'list'], 'datanet'],
      [['--node=http://127.0.0.1:1', 'contribute', 'x', 'a.txt'], 'contribute'],
      [['--keystore', 'start', 'log', 'checkpoint'], 'log'],
      [['help', 'curate'], 'curate'],
      [['datanet', '--help'], 'datanet'],
      // `payout` lives in the epoch module.
      [['payout', '3'], 'epoch'],
    ];
    for (const [argv, module] of cases) {
      const { modules, loaded } = recording();
      await buildProgram(argv, { modules });
      expect(loaded, argv.join(' ')).toEqual([module]);
    }
  });

  it('does not take the value of --node for a command', () => {
    expect(commandToRun(['--node', 'datanet', 'list'])).toBe('list');
    expect(commandToRun(['--from', 'token', 'token', 'supply'])).toBe('token');
  });
});

describe('the help lines of commands not loaded', () => {
  it('list each module exactly as the module registers itself, in the same order', async () => {
    const all = await buildProgram([], { loadAll: true });
    expect(topNames(all)).toEqual(COMMAND_MODULES.flatMap((m) => m.commands.map(([term]) => term.split(' ')[0])));
  });

  it('print the same `tributary --help` as the program with every module loaded', async () => {
    const all = await buildProgram([], { loadAll: true });
    const lazy = await buildProgram(['--help']);
    expect(lazy.helpInformation()).toBe(all.helpInformation());
    // And with one module loaded among the stubs (the listing mixes both kinds).
    const one = await buildProgram(['payout', '1']);
    expect(one.helpInformation()).toBe(all.helpInformation());
  });

  it('refuse to run as a silent no-op if a stub is ever dispatched', async () => {
    const { modules } = recording();
    const program = await buildProgram(['--version'], { modules });
    for (const argv of [['datanet', 'list'], ['datanet', '--help'], ['payout', '1', '--bogus']])
      await expect(program.parseAsync(argv, { from: 'user' }), argv.join(' ')).rejects.toThrow(`command '${argv[0]}' was run without its module loaded`);
  });
});
