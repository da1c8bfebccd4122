// The Datanets page: every datanet with its counts, and one of them in detail (#/datanets?name=…):
// its rules and curators, its versions, its contributions with their curation status and
// flags, and a form to contribute a file from this browser. Reads over the API; the only
// write is the signed Contribute in datanetsContribute.ts.
import { bytes } from '../../../src/format/text.ts';
import type { Contribution, Datanet, DatanetDetail } from '../../../src/wire/datanets.ts';
import { api } from '../api.ts';
import { h, notice, replace, short, time } from '../dom.ts';
import type { Page } from '../router.ts';
import { contributeForm } from './datanetsContribute.ts';
import './datanets.css';

type Version = DatanetDetail['snapshots'][number];
type DatanetCounts = Datanet['counts'];

const PAGE = 50;
const total = (c: DatanetCounts) => c.pending + c.accepted + c.rejected + c.withdrawn;
const addr = (a: string) => h('code', { title: a }, short(a));
const th = (text: string, num = false) => h('th', { scope: 'col', class: num ? 'num' : undefined }, text);
const receiptLink = (index: number, label = String(index)) => h('a', { href: `#/receipts?index=${index}`, 'aria-label': `Receipt for entry ${index}` }, label);

function listTable(all: Datanet[], selected: string): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, `${all.length} ${all.length === 1 ? 'datanet' : 'datanets'} on this node`),
    h('thead', {}, h('tr', {}, th('Name'), th('Kind'), th('Policy'), th('Accepted', true), th('Pending', true), th('Rejected', true), th('Withdrawn', true), th('Versions', true), th('License'))),
    h(
      'tbody',
      {},
      all.map((d) =>
        h(
          'tr',
          { class: d.name === selected ? 'selected' : undefined },
          h('th', { scope: 'row' }, h('a', { href: `#/datanets?name=${encodeURIComponent(d.name)}`, 'aria-current': d.name === selected ? 'true' : undefined }, d.name)),
          h('td', {}, d.kind),
          h('td', {}, d.policy),
          [d.counts.accepted, d.counts.pending, d.counts.rejected, d.counts.withdrawn, d.counts.snapshots].map((n) => h('td', { class: 'num' }, String(n))),
          h('td', {}, d.license),
        ),
      ),
    ),
  );
}

function duplicatePolicy(d: Datanet['duplicates']): string {
  if (d.policy === 'off') return 'off';
  const pct = `${d.thresholdPpm / 10_000}%`;
  return `${d.policy === 'flag' ? 'flags' : 'refuses'} a contribution when at least ${pct} of it repeats earlier ones (spans of ${d.minSpan}+ tokens)`;
}

function facts(d: Datanet, versions: Version[]): HTMLElement {
  const c = d.counts;
  const latest = versions[versions.length - 1];
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'status'),
    h('dd', {}, `${total(c)} contributions: ${c.accepted} accepted, ${c.pending} pending, ${c.rejected} rejected, ${c.withdrawn} opted out (withdrawn by their authors)`),
    h('dt', {}, 'size'),
    h('dd', {}, latest ? `version ${latest.version} holds ${latest.count} contributions, ${bytes(latest.bytes)}` : 'no version yet: the owner or a curator takes a snapshot to make one'),
    h('dt', {}, 'kind'),
    h('dd', {}, d.kind === 'text' ? 'text (.txt, .md, .csv)' : 'JSONL records (.jsonl), each checked against the schema below'),
    h('dt', {}, 'curation'),
    h('dd', {}, d.policy === 'open' ? 'open: contributions are accepted at once' : 'curated: contributions wait for the owner or a curator'),
    h('dt', {}, 'owner'),
    h('dd', {}, addr(d.owner)),
    h('dt', {}, 'curators'),
    h('dd', {}, d.curators.length ? d.curators.map((a, i) => [i ? ', ' : '', addr(a)]) : 'none besides the owner'),
    h('dt', {}, 'duplicates'),
    h('dd', {}, duplicatePolicy(d.duplicates)),
    h('dt', {}, 'license'),
    h('dd', {}, d.license),
    h('dt', {}, 'created'),
    h('dd', {}, time(d.time / 1000), ' in entry ', receiptLink(d.createdAt)),
  );
}

function versionsSection(d: Datanet, versions: Version[]): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'versions-h' },
    h('h3', { id: 'versions-h' }, 'Versions'),
    versions.length === 0
      ? notice('empty', 'No versions yet.', h('p', {}, `The owner or a curator makes one with: tributary snapshot ${d.name}`))
      : h(
          'table',
          {},
          h('caption', { class: 'sr-only' }, `Versions of ${d.name}`),
          h('thead', {}, h('tr', {}, th('Version', true), th('Contributions', true), th('Size', true), th('Merkle root'), th('Log size', true), th('Time (UTC)'))),
          h(
            'tbody',
            {},
            [...versions].reverse().map((v) =>
              h('tr', {}, h('td', { class: 'num' }, String(v.version)), h('td', { class: 'num' }, String(v.count)), h('td', { class: 'num' }, bytes(v.bytes)), h('td', {}, h('code', { title: v.root }, short(v.root, 8))), h('td', { class: 'num' }, String(v.logSize)), h('td', {}, time(v.time / 1000))),
            ),
          ),
        ),
  );
}

function statusCell(c: Contribution): HTMLElement {
  return h('td', {}, h('span', { class: `status ${c.status}` }, c.status), c.reason && h('div', { class: 'muted' }, `“${c.reason}”`), c.decidedBy && h('div', { class: 'muted' }, 'by ', addr(c.decidedBy)));
}

function flagsCell(c: Contribution): HTMLElement {
  if (!c.duplicateOf?.length) return h('td', {});
  return h('td', {}, 'repeats ', c.duplicateOf.map((id, i) => [i ? ', ' : '', receiptLink(id, `#${id}`)]), c.coveragePpm !== undefined ? ` (${(c.coveragePpm / 10_000).toFixed(1)}% of it)` : '');
}

function contributionRow(c: Contribution): HTMLTableRowElement {
  return h(
    'tr',
    {},
    h('td', { class: 'num' }, receiptLink(c.id)),
    h('td', {}, c.fileName),
    h('td', {}, addr(c.author)),
    h('td', { class: 'num' }, bytes(c.size)),
    statusCell(c),
    flagsCell(c),
    h('td', {}, time(c.time / 1000)),
  );
}

/** The contributions, newest first, filtered by status, with a button for older ones. */
function contributionsSection(d: Datanet): { el: HTMLElement; reload: () => void } {
  const filter = h(
    'select',
    { id: 'contrib-status' },
    h('option', { value: '' }, 'all'),
    (['accepted', 'pending', 'rejected', 'withdrawn'] as const).map((s) => h('option', { value: s }, s)),
  );
  const body = h('div', { 'aria-live': 'polite' });
  const load = async (before?: number, rows: HTMLTableRowElement[] = []) => {
    const status = (filter.value || undefined) as Contribution['status'] | undefined;
    try {
      const contributions = await api.contributions(d.name, { status, before, order: 'desc', limit: PAGE });
      const all = [...rows, ...contributions.map(contributionRow)];
      if (all.length === 0) {
        replace(body, notice('empty', filter.value ? `No ${filter.value} contributions.` : 'No contributions yet.', h('p', {}, filter.value ? 'Choose “all” to see every contribution.' : 'Be the first: contribute a file with the form above.')));
        return;
      }
      const last = contributions[contributions.length - 1];
      replace(
        body,
        h(
          'table',
          { id: 'contributions' },
          h('caption', { class: 'sr-only' }, `Contributions to ${d.name}, newest first`),
          h('thead', {}, h('tr', {}, th('Id', true), th('File'), th('Author'), th('Size', true), th('Status'), th('Flags'), th('Time (UTC)'))),
          h('tbody', {}, all),
        ),
        contributions.length === PAGE && last && h('button', { type: 'button', onclick: () => void load(last.id, all) }, 'Show older contributions'),
      );
    } catch (e) {
      replace(body, notice('error', `The contributions could not be read: ${(e as Error).message}`, h('p', {}, 'Reload the page to try again.')));
    }
  };
  filter.addEventListener('change', () => void load());
  void load();
  return {
    el: h('section', { 'aria-labelledby': 'contribs-h' }, h('h3', { id: 'contribs-h' }, 'Contributions'), h('div', { class: 'filter' }, h('label', { for: 'contrib-status' }, 'Show'), filter), body),
    reload: () => void load(),
  };
}

/** One datanet in detail; refreshes its counts and contributions after a contribution. */
async function detail(name: string, maxContentBytes: number): Promise<HTMLElement> {
  const d = await api.datanet(name);
  const factsBox = h('div', {}, facts(d, d.snapshots));
  const contributions = contributionsSection(d);
  const refresh = async () => {
    contributions.reload();
    const fresh = await api.datanet(name).catch(() => undefined);
    if (fresh) replace(factsBox, facts(fresh, fresh.snapshots));
  };
  return h(
    'section',
    { class: 'datanet', 'aria-labelledby': 'dn-h' },
    h('h2', { id: 'dn-h' }, d.name),
    d.description && h('p', {}, d.description),
    factsBox,
    d.kind === 'jsonl' && h('details', {}, h('summary', {}, 'JSON Schema every record must satisfy'), h('pre', { class: 'schema' }, JSON.stringify(JSON.parse(d.schema), null, 2))),
    await contributeForm(d, maxContentBytes, () => void refresh()),
    versionsSection(d, d.snapshots),
    contributions.el,
  );
}

export const datanets: Page = {
  title: 'Datanets',
  nav: 1,
  async render(root, params) {
    const [all, info] = await Promise.all([api.datanets(), api.node()]);
    const page = h('div', { class: 'datanets-page' }, h('h1', {}, 'Datanets'), h('p', {}, 'Community datasets. Each contribution is a signed entry in the public log; its author is credited whenever a model trained on it is used.'));
    root.append(page);
    if (all.length === 0) {
      page.append(notice('empty', 'This node has no datanets yet.', h('p', {}, 'Create one with the CLI: ', h('code', {}, 'tributary datanet create NAME --license CC-BY-4.0 --description "…"'), ', then reload this page.')));
      return;
    }
    const wanted = params.get('name') ?? all[0].name;
    const found = all.some((d) => d.name === wanted);
    page.append(listTable(all, found ? wanted : ''));
    if (!found) page.append(notice('error', `There is no datanet named “${wanted}”.`, h('p', {}, 'Pick one from the table above.')));
    else page.append(await detail(wanted, info.maxContentBytes));
  },
};
