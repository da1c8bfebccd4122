// Claiming on chain from the Earnings page: with an injected wallet, it sends
// PayoutDistributor.claim(account, cumulativeAmount, proof) for the latest root the chain
// holds (the tokens go to `account`, whoever sends); without one, it says how to claim
// from the command line. It must never sign with the browser's local key: that key has
// no ether, and a claim is the user's own transaction.
import { decodeFunctionResult, encodeFunctionData, type Hex } from 'viem';
import type { ChainStatus } from '../../../src/client/client.ts';
import { api } from '../api.ts';
import { h, notice, replace, short, tokens } from '../dom.ts';

interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

const DISTRIBUTOR_ABI = [
  { type: 'function', name: 'claim', stateMutability: 'nonpayable', inputs: [{ name: 'account', type: 'address' }, { name: 'cumulativeAmount', type: 'uint256' }, { name: 'proof', type: 'bytes32[]' }], outputs: [{ name: 'amount', type: 'uint256' }] },
  { type: 'function', name: 'claimed', stateMutability: 'view', inputs: [{ name: 'account', type: 'address' }], outputs: [{ name: '', type: 'uint256' }] },
] as const;

async function claim(wallet: Eip1193, account: Hex, chainId: number, distributor: Hex, epoch: number, out: HTMLElement): Promise<void> {
  const [from] = (await wallet.request({ method: 'eth_requestAccounts' })) as Hex[];
  if (Number(await wallet.request({ method: 'eth_chainId' })) !== chainId) {
    await wallet.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: `0x${chainId.toString(16)}` }] }).catch(() => {
      throw new Error(`switch your wallet to chain ${chainId}, where this node settles, then claim again`);
    });
  }
  const p = await api.payout(epoch, account);
  const data = encodeFunctionData({ abi: DISTRIBUTOR_ABI, functionName: 'claimed', args: [account] });
  const already = decodeFunctionResult({ abi: DISTRIBUTOR_ABI, functionName: 'claimed', data: (await wallet.request({ method: 'eth_call', params: [{ to: distributor, data }, 'latest'] })) as Hex });
  const due = BigInt(p.amount) - already;
  if (due <= 0n) {
    replace(out, notice('info', `Nothing new to claim: ${tokens(already)} tokens already claimed as of epoch ${epoch}.`));
    return;
  }
  const tx = (await wallet.request({
    method: 'eth_sendTransaction',
    params: [{ from, to: distributor, data: encodeFunctionData({ abi: DISTRIBUTOR_ABI, functionName: 'claim', args: [account, BigInt(p.amount), p.proof as Hex[]] }) }],
  })) as string;
  replace(out, notice('info', `Claim sent for ${tokens(due)} tokens to ${short(account)}: transaction ${tx}.`));
}

/** The claim block: a Claim button with a wallet, the CLI without one, and why when there is no chain. */
export function claimSection(account: string, chain: ChainStatus, latestEpoch: number | undefined): HTMLElement {
  const head = h('h2', { id: 'earn-claim' }, 'Claim on chain');
  const section = (...more: Array<Node | string>) => h('section', { 'aria-labelledby': 'earn-claim' }, head, ...more);
  if (!chain.configured || !chain.contracts || chain.chainId === undefined) {
    return section(h('p', {}, 'This node settles on no chain, so there is nothing to claim on chain: payouts are recorded in each epoch’s root above, and can be claimed once the operator deploys the contracts (tributary chain deploy).'));
  }
  if (!chain.lastRoot) {
    return section(h('p', {}, latestEpoch ? `Epoch ${latestEpoch} is closed, but the node has not posted its root on chain yet: try again shortly.` : 'No payout root is on chain yet: earnings become claimable once an epoch closes and its root is posted.'));
  }
  const { epoch } = chain.lastRoot;
  const wallet = (window as unknown as { ethereum?: Eip1193 }).ethereum;
  if (!wallet) {
    return section(
      h('p', {}, `The chain (id ${chain.chainId}) holds the root of epoch ${epoch}. Claiming sends a transaction to the PayoutDistributor at `, h('code', {}, chain.contracts.distributor), ', which needs a wallet in this browser (such as MetaMask) with a little ether for gas. There is none here.'),
      h('p', {}, 'Or claim from the command line, with this account in your keystore:'),
      h('pre', {}, h('code', {}, 'tributary claim')),
    );
  }
  const out = h('div', { role: 'status' });
  const button = h('button', {
    type: 'button',
    onclick: async () => {
      button.disabled = true;
      replace(out, 'Asking your wallet…');
      try {
        await claim(wallet, account as Hex, chain.chainId!, chain.contracts!.distributor as Hex, epoch, out);
      } catch (e) {
        replace(out, notice('error', `The claim failed: ${(e as Error).message}`, h('p', {}, 'Check your wallet (account, network, ether for gas), then try again, or run tributary claim.')));
      } finally {
        button.disabled = false;
      }
    },
  }, `Claim (epoch ${epoch})`);
  return section(h('p', {}, `Claims what the root of epoch ${epoch} holds for ${short(account)}, minus what was already claimed; the tokens go to that account whoever sends the transaction.`), button, out);
}
