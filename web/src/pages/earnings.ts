// The Earnings page: what an account earned (any account, ?account=0x…; by default this
// browser's signer), over time and per contribution, what each closed epoch made
// claimable, and the claim on chain when the node settles on one. It reads the node's
// books; it must never move money except by the claim transaction the user confirms in
// their own wallet.
import type { AccountMoney as Account, EarningsRow as Row, Epoch, JournalLine as Line } from '../../../src/client/client.ts';
import { api, ApiError } from '../api.ts';
import { h, notice, short, time, tokens } from '../dom.ts';
import type { Page } from '../router.ts';
import { getSigner } from '../signer.ts';
import { claimSection } from './earningsClaim.ts';
import { devMode } from './devFaucet.ts';
import { stepChart } from './stepChart.ts';
import './earnings.css';

const EPOCHS_SHOWN = 12;
const asTokens = (units: bigint) => Number(units) / 1e18;
/** Log entries are stamped in Unix milliseconds. */
const at = (ms: number) => time(Math.floor(ms / 1000));

/** Every journal line of the account, oldest first (paged: the route gives at most 10,000 at a time). */
async function journal(account: string): Promise<Line[]> {
  const all: Line[] = [];
  for (let after = -1, page = 0; page < 20; page++) {
    const lines = await api.journal(account, { after, limit: 10000 });
    all.push(...lines);
    if (lines.length < 10000) break;
    after = lines[lines.length - 1].seq;
  }
  return all;
}

function memoText(memo: string): string {
  if (memo.startsWith('usage:')) return `usage of contribution #${memo.slice(6)}`;
  if (memo.startsWith('baseline:')) return `baseline for contribution #${memo.slice(9)}`;
  if (memo.startsWith('payout:')) return `paid out in epoch ${memo.slice(7)}`;
  return memo;
}

function chartSection(account: string, lines: Line[]): HTMLElement {
  const mine = `earnings:${account}`;
  const moves = lines.filter((l) => l.to === mine || (l.from === mine && l.memo.startsWith('payout:')));
  if (moves.length === 0) {
    return h('section', { 'aria-labelledby': 'earn-chart' }, h('h2', { id: 'earn-chart' }, 'Earnings over time'),
      notice('empty', 'No earnings yet for this account.', h('p', {}, 'Contribute text to a ', h('a', { href: '#/datanets' }, 'datanet'), '; when a model trained on it is used, or its baseline pool is shared at an epoch close, the earnings appear here. Or try the ', h('a', { href: '#/playground' }, 'Playground'), ' to use a model.')));
  }
  let earned = 0n;
  let paid = 0n;
  const earnedPts: Array<{ x: number; y: number }> = [];
  const paidPts: Array<{ x: number; y: number }> = [];
  const rows = moves.map((l) => {
    if (l.to === mine) {
      earned += BigInt(l.amount);
      earnedPts.push({ x: l.time, y: asTokens(earned) });
    } else {
      paid += BigInt(l.amount);
      paidPts.push({ x: l.time, y: asTokens(paid) });
    }
    return h('tr', {}, h('td', {}, at(l.time)), h('td', { class: 'num' }, h('a', { href: `#/receipts?index=${l.entry}` }, String(l.entry))), h('td', {}, memoText(l.memo)), h('td', { class: 'num' }, `${l.to === mine ? '+' : '−'}${tokens(l.amount)}`), h('td', { class: 'num' }, tokens(earned)));
  });
  const chart = stepChart(
    [
      { label: 'earned, cumulative', className: 'earned', points: earnedPts },
      { label: 'paid out into epoch roots, cumulative', className: 'paid', points: paidPts },
    ],
    {
      title: `Cumulative earnings of ${short(account)}`,
      description: `${tokens(earned)} tokens earned in ${earnedPts.length} credits from ${at(moves[0].time)} to ${at(moves[moves.length - 1].time)}; ${tokens(paid)} of it paid out into epoch roots.`,
      xEnd: Date.now(),
      formatX: at,
      formatY: (y) => String(Number(y.toPrecision(3))),
    },
  );
  return h('section', { 'aria-labelledby': 'earn-chart' },
    h('h2', { id: 'earn-chart' }, 'Earnings over time'),
    h('div', { class: 'earn-legend', 'aria-hidden': 'true' }, h('span', { class: 'earned' }, 'earned'), h('span', { class: 'paid' }, 'paid out into epoch roots')),
    chart,
    h('details', {}, h('summary', {}, `The ${moves.length} journal lines behind the chart`),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'time'), h('th', { class: 'num' }, 'log entry'), h('th', {}, 'what'), h('th', { class: 'num' }, 'tokens'), h('th', { class: 'num' }, 'earned so far'))), h('tbody', {}, rows))),
  );
}

function contributionSection(rows: Row[]): HTMLElement {
  const head = h('h2', { id: 'earn-contrib' }, 'By contribution');
  if (rows.length === 0) return h('section', { 'aria-labelledby': 'earn-contrib' }, head, h('p', {}, 'None of this account’s contributions has earned yet.'));
  return h('section', { 'aria-labelledby': 'earn-contrib' }, head,
    h('table', { class: 'earn-contributions' },
      h('thead', {}, h('tr', {}, h('th', {}, 'contribution'), h('th', {}, 'datanet'), h('th', { class: 'num' }, 'baseline'), h('th', { class: 'num' }, 'usage'), h('th', { class: 'num' }, 'total'))),
      h('tbody', {}, rows.map((r) => h('tr', { 'data-contribution': String(r.contribution) },
        h('td', {}, `#${r.contribution}`),
        h('td', {}, h('a', { href: `#/datanets?name=${encodeURIComponent(String(r.datanet))}` }, String(r.datanet))),
        h('td', { class: 'num' }, tokens(String(r.baseline))),
        h('td', { class: 'num' }, tokens(String(r.usage))),
        h('td', { class: 'num' }, tokens(String(r.total))),
      ))),
    ),
  );
}

async function epochSection(account: string, epochs: Epoch[], unpaid: string, dev: boolean, reload: () => void): Promise<HTMLElement> {
  const head = h('h2', { id: 'earn-epochs' }, 'Claimable by epoch');
  const closeNow = dev && BigInt(unpaid) > 0n
    ? h('button', { type: 'button', onclick: async (e: Event) => { (e.currentTarget as HTMLButtonElement).disabled = true; await api.closeEpoch().catch(() => undefined); reload(); } }, 'Close an epoch now (dev mode)')
    : null;
  const pending = BigInt(unpaid) > 0n ? h('p', {}, `${tokens(unpaid)} tokens earned since the last close will be in the next epoch’s root. `, closeNow) : null;
  if (epochs.length === 0) return h('section', { 'aria-labelledby': 'earn-epochs' }, head, h('p', {}, 'No epoch is closed yet: earnings become claimable when the node closes one (on its timer).'), pending);
  const shown = epochs.slice(0, EPOCHS_SHOWN);
  // An account without a leaf in an epoch had earned nothing by then: 404, shown as 0.
  const amounts = await Promise.all(shown.map((e) => api.payout(e.epoch, account).then((p) => BigInt(p.amount), (err) => {
    if (err instanceof ApiError && err.status === 404) return 0n;
    throw err;
  })));
  const before = epochs.length > EPOCHS_SHOWN ? undefined : 0n;
  const rows = shown.map((e, i) => {
    const prev = i + 1 < shown.length ? amounts[i + 1] : before;
    return h('tr', {}, h('td', { class: 'num' }, String(e.epoch)), h('td', {}, at(e.time)), h('td', { class: 'num' }, prev === undefined ? '' : tokens(amounts[i] - prev)), h('td', { class: 'num' }, tokens(amounts[i])), h('td', {}, h('code', { title: e.root }, short(e.root))));
  });
  return h('section', { 'aria-labelledby': 'earn-epochs' }, head,
    h('p', {}, 'Each epoch’s payout root holds every account’s cumulative payout: a claim pays the latest cumulative amount minus what was already claimed. ', h('strong', { 'data-claimable': amounts[0].toString() }, `${tokens(amounts[0])} tokens`), ` in total as of epoch ${shown[0].epoch}.`),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'epoch'), h('th', {}, 'closed'), h('th', { class: 'num' }, 'added'), h('th', { class: 'num' }, 'cumulative'), h('th', {}, 'root'))), h('tbody', {}, rows)),
    pending,
  );
}

export const earnings: Page = {
  title: 'Earnings',
  nav: 4,
  async render(root, params) {
    const asked = params.get('account');
    if (asked !== null && !/^0x[0-9a-fA-F]{40}$/.test(asked)) {
      root.append(h('h1', {}, 'Earnings'), notice('error', `“${asked}” is not an account address.`, h('p', {}, 'Give one as 0x followed by 40 hex digits, e.g. ', h('code', {}, '#/earnings?account=0x…'), '.')));
      return;
    }
    const account = (asked ?? (await getSigner()).address).toLowerCase();
    const [a, lines, byContribution, epochs, chain, dev] = await Promise.all([
      api.account(account),
      journal(account),
      api.earnings('contributions', { account }),
      api.epochs(),
      api.chainStatus(),
      devMode(),
    ]);
    const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
    const other = h('input', { id: 'earn-account', value: account, pattern: '0x[0-9a-fA-F]{40}', size: 44, 'aria-describedby': 'earn-account-help' });
    const latest = epochs[0];
    root.append(
      h('h1', {}, 'Earnings'),
      h('form', { class: 'earn-pick', onsubmit: (e: Event) => { e.preventDefault(); location.hash = `#/earnings?account=${other.value.trim()}`; } },
        h('label', { for: 'earn-account' }, 'Account'), other, ' ', h('button', { type: 'submit' }, 'Show'),
        h('p', { id: 'earn-account-help', class: 'earn-muted' }, asked ? 'Any account’s earnings are public.' : 'This browser’s account. Any account’s earnings are public: enter another address.'),
      ),
      h('dl', { class: 'facts earn-facts' },
        h('dt', {}, 'earned in total'), h('dd', { 'data-total': a.earned.total }, `${tokens(a.earned.total)} tokens`),
        h('dt', {}, 'by role'), h('dd', {}, `usage ${tokens(a.earned.usage)} · baseline ${tokens(a.earned.baseline)} · model owner ${tokens(a.earned.owner)} · compute ${tokens(a.earned.compute)}`),
        h('dt', {}, 'not yet in a root'), h('dd', { 'data-unpaid': a.unpaid }, `${tokens(a.unpaid)} tokens (earned since the last epoch close)`),
        h('dt', {}, 'in the payout root'), h('dd', {}, `${tokens(a.paid)} tokens cumulative${latest ? ` (epoch ${latest.epoch})` : ''}`),
      ),
      chartSection(account, lines),
      contributionSection(byContribution),
      await epochSection(account, epochs, a.unpaid, dev, reload),
      claimSection(account, chain, latest?.epoch),
    );
  },
};
