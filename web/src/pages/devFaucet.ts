// The dev faucet as the pages offer it: whether the node is in dev mode, and a button
// that credits an account's prepaid balance (POST /v1/dev/faucet). Never shown, and never
// called, on a production node or a real-money ledger, where balances come only from
// deposits on chain.
import { api } from '../api.ts';
import { h } from '../dom.ts';

let info: Promise<{ dev: boolean; money?: string }> | undefined;

function nodeInfo(): Promise<{ dev: boolean; money?: string }> {
  info ??= api.node().catch(() => ({ dev: false }));
  return info;
}

/** Whether the node is in dev mode (GET /v1/node says dev: true). Asked once per page load. */
export function devMode(): Promise<boolean> {
  return nodeInfo().then((n) => n.dev);
}

/** Whether the node has the faucet on: dev mode on a play-money ledger. */
export function faucetOn(): Promise<boolean> {
  return nodeInfo().then((n) => n.dev && n.money === 'play');
}

/** A button that asks the faucet for 100 tokens for `account`, then calls `done`. */
export function faucetButton(account: string, done: () => void | Promise<void>): HTMLButtonElement {
  const button = h('button', {
    type: 'button',
    onclick: async () => {
      button.disabled = true;
      button.textContent = 'Asking the faucet…';
      try {
        await api.faucet(account);
        await done();
      } catch (e) {
        button.disabled = false;
        button.textContent = `Faucet failed (${(e as Error).message}): try again`;
      }
    },
  }, 'Get 100 tokens from the dev faucet');
  return button;
}
