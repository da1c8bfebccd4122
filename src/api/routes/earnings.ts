// Who earned what: an account's balances and journal, and cumulative earnings by
// account, contribution, datanet or model, as JSON or CSV (`?format=csv`). Balances are
// protocol state (`tributary verify` recomputes them); the journal lines and the earnings
// views are tables the node derives from the same actions as it sequences them.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findContribution } from '../../datanets/records.ts';
import type { TributaryNode } from '../../node/node.ts';
import { auditMoney } from '../../settlement/audit.ts';
import { type Earnings, earnings, modelUsage, moneyKeys } from '../../settlement/records.ts';
import { toCsv } from '../csv.ts';
import { Address, errorResponses } from '../../wire/common.ts';
import { AccountMoney, EarningsBy, EarningsQuery, EarningsRows, JournalLines, JournalQuery, MoneyTotals } from '../../wire/earnings.ts';
import { accounts, amount } from '../../money/accounts.ts';

const withTotal = (e: Earnings) => ({ ...e, total: (amount(e.baseline) + amount(e.usage) + amount(e.owner) + amount(e.compute)).toString() });
/** Sends CSV instead of the route's JSON (a Buffer skips the JSON serializer); the handler returns what this returns. */
const sendCsv = (reply: unknown, columns: string[], rows: ReadonlyArray<Record<string, unknown>>): never =>
  (reply as { type(t: string): { send(b: Buffer): unknown } }).type('text/csv; charset=utf-8').send(Buffer.from(toCsv(columns, rows))) as never;

export function earningsRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/accounts/:address', {
      schema: {
        tags: ['earnings'],
        summary: "An account's money: prepaid balance, unpaid earnings, cumulative payout, and earnings by role",
        params: z.object({ address: Address }),
        response: {
          200: AccountMoney,
          ...errorResponses,
        },
      },
      handler: async (req) => {
        const a = req.params.address.toLowerCase();
        const m = node.settlement.account(a);
        return {
          address: a,
          prepaid: m.prepaid.toString(),
          unpaid: m.earnings.toString(),
          paid: m.paid.toString(),
          earned: withTotal(earnings(node.money.view(moneyKeys.accountEarnings(a)))),
        };
      },
    });

    app.get('/v1/accounts/:address/journal', {
      schema: {
        tags: ['earnings'],
        summary: "Journal lines that moved an account's money (prepaid or earnings), oldest first",
        params: z.object({ address: Address }),
        querystring: JournalQuery,
        response: { 200: JournalLines, ...errorResponses },
      },
      handler: async (req, reply) => {
        const a = req.params.address.toLowerCase();
        const { after, limit, format } = req.query;
        // Both of the address's journal accounts, merged in journal order.
        const lines = [...node.money.lines(accounts.prepaid(a), after, limit), ...node.money.lines(accounts.earnings(a), after, limit)]
          .sort((x, y) => x.seq - y.seq)
          .filter((l, i, all) => i === 0 || all[i - 1].seq !== l.seq)
          .slice(0, limit);
        if (format === 'csv') return sendCsv(reply, ['seq', 'entry', 'time', 'from', 'to', 'amount', 'memo'], lines as unknown as Array<Record<string, unknown>>);
        return { lines };
      },
    });

    app.get('/v1/earnings/:by', {
      schema: {
        tags: ['earnings'],
        summary: 'Cumulative earnings by account, contribution, datanet or model',
        params: z.object({ by: EarningsBy }),
        querystring: EarningsQuery,
        response: { 200: EarningsRows, ...errorResponses },
      },
      handler: async (req, reply) => {
        const { by } = req.params;
        const { format, account, datanet } = req.query;
        let columns: string[];
        let rows: Array<Record<string, string | number>>;
        if (by === 'accounts') {
          columns = ['account', 'baseline', 'usage', 'owner', 'compute', 'total'];
          rows = node.money.views(moneyKeys.accountEarningsPrefix).map(([k, e]) => ({ account: k.slice(moneyKeys.accountEarningsPrefix.length), ...withTotal(earnings(e)) }));
        } else if (by === 'contributions') {
          columns = ['contribution', 'datanet', 'author', 'baseline', 'usage', 'total'];
          const author = account?.toLowerCase();
          rows = [];
          for (const [k, view] of node.money.views(moneyKeys.contributionEarningsPrefix)) {
            const e = earnings(view);
            const c = findContribution(node.state, Number(k.slice(moneyKeys.contributionEarningsPrefix.length)))!;
            if ((author && c.author !== author) || (datanet && c.datanet !== datanet)) continue;
            rows.push({ contribution: c.id, datanet: c.datanet, author: c.author, baseline: e.baseline, usage: e.usage, total: (amount(e.baseline) + amount(e.usage)).toString() });
          }
        } else if (by === 'datanets') {
          columns = ['datanet', 'baseline', 'usage', 'total'];
          rows = node.money.views(moneyKeys.datanetEarningsPrefix).map(([k, view]) => {
            const e = earnings(view);
            return { datanet: k.slice(moneyKeys.datanetEarningsPrefix.length), baseline: e.baseline, usage: e.usage, total: (amount(e.baseline) + amount(e.usage)).toString() };
          });
        } else {
          columns = ['model', 'inferences', 'inputTokens', 'outputTokens', 'fees', 'data', 'owner', 'compute', 'treasury'];
          rows = node.money.views(moneyKeys.modelUsagePrefix).map(([k, u]) => ({ model: k.slice(moneyKeys.modelUsagePrefix.length), ...modelUsage(u) }));
        }
        if (format === 'csv') return sendCsv(reply, columns, rows);
        // Keys in column order (stored records come back with their keys sorted).
        return { rows: rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]]))) };
      },
    });

    app.get('/v1/money', {
      schema: {
        tags: ['earnings'],
        summary: "The node's books in total, backed and unbacked, and the conservation check: held = deposited − withdrawn",
        response: {
          200: MoneyTotals,
        },
      },
      handler: async () => {
        const t = { prepaid: 0n, unpaid: 0n, pools: 0n, escrow: 0n, reserved: 0n, treasury: 0n };
        for (const [k, v] of node.state.list<string>(moneyKeys.balancePrefix)) {
          const acct = k.slice(moneyKeys.balancePrefix.length);
          const kind = acct.startsWith('earnings:') ? 'unpaid' : acct.startsWith('pool:') ? 'pools' : acct.startsWith('escrow:') ? 'escrow' : acct.startsWith('hold:') ? 'reserved' : acct === accounts.treasury ? 'treasury' : 'prepaid';
          t[kind] += amount(v);
        }
        const a = auditMoney(node.state);
        return {
          money: a.money,
          backed: a.backed,
          unbacked: a.unbacked,
          deposited: a.deposited,
          withdrawn: a.withdrawn,
          prepaid: t.prepaid.toString(),
          unpaid: t.unpaid.toString(),
          pools: t.pools.toString(),
          escrow: t.escrow.toString(),
          reserved: t.reserved.toString(),
          treasury: t.treasury.toString(),
          conserved: a.conserved,
        };
      },
    });
  };
}
