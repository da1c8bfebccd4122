// One answered call in the Playground: the answer with each attributed span highlighted
// (hover or focus shows the contributor, the weight and the matched source text), the
// sources, what the call cost and where each unit of the fee went, and the receipt link.
// It only reads the node: it must never charge or sign anything.
import type { Contribution } from '../../../src/wire/datanets.ts';
import { api } from '../api.ts';
import { h, replace, short, tokens } from '../dom.ts';
import type { AttributedSpan, Attribution, SplitLine, Usage } from './playgroundApi.ts';

interface Source extends Contribution {
  /** The contribution's text, or null once withdrawn (or not held by this node). */
  text: string | null;
  weightPpm: number;
  colour: number;
}

const COLOURS = 6;
const percent = (ppm: number) => `${(ppm / 10_000).toFixed(ppm % 10_000 === 0 ? 0 : 1)}%`;
let tips = 0;

async function sources(a: Attribution): Promise<Map<number, Source>> {
  const ids = [...new Set([...a.contributions.map((c) => c.contribution), ...a.spans.flatMap((s) => s.contributions)])];
  const weight = new Map(a.contributions.map((c) => [c.contribution, c.weight_ppm]));
  const found = await Promise.all(
    ids.map(async (id, i): Promise<Source> => {
      const [c, text] = await Promise.all([api.contribution(id), api.content(id).then((b) => new TextDecoder().decode(b), () => null)]);
      return { ...c, text, weightPpm: weight.get(id) ?? 0, colour: i % COLOURS };
    }),
  );
  return new Map(found.map((s) => [s.id, s]));
}

/** The source text with the matched part marked, or a note that it is gone. */
function sourceText(s: Source, matched: string): HTMLElement {
  if (s.text === null) return h('p', { class: 'pg-gone' }, 'Its author withdrew this contribution: the text is deleted.');
  const at = s.text.indexOf(matched);
  if (at < 0) return h('blockquote', {}, s.text);
  return h('blockquote', {}, s.text.slice(0, at), h('mark', {}, matched), s.text.slice(at + matched.length));
}

function tipContent(span: AttributedSpan, by: Map<number, Source>): HTMLElement[] {
  return span.contributions.map((id) => {
    const s = by.get(id);
    if (!s) return h('p', {}, `Contribution #${id}`);
    return h('div', { class: 'pg-tip-source' },
      h('p', {}, h('strong', {}, `Contribution #${id}`), ` in ${s.datanet}, weight ${percent(s.weightPpm)} of the answer`),
      h('p', {}, 'by ', h('code', { class: 'pg-author' }, s.author)),
      sourceText(s, span.text),
    );
  });
}

/** Splits the answer into plain text and highlighted spans; overlapping spans are clipped to the earlier one. */
function highlighted(out: string, spans: AttributedSpan[], by: Map<number, Source>, tip: HTMLElement): Array<Node | string> {
  const parts: Array<Node | string> = [];
  let at = 0;
  for (const s of [...spans].sort((x, y) => x.start - y.start)) {
    const start = Math.max(s.start, at);
    if (s.end <= start) continue;
    if (start > at) parts.push(out.slice(at, start));
    const first = by.get(s.contributions[0]);
    const who = s.contributions.map((id) => `contribution ${id}${by.get(id) ? ` by ${short(by.get(id)!.author)}` : ''}`).join(', ');
    const mark = h('mark', { class: `span pg-c${first?.colour ?? 0}`, tabindex: 0, 'data-contributions': s.contributions.join(' '), 'aria-label': `${out.slice(start, s.end)} (from ${who})` }, out.slice(start, s.end));
    const show = () => {
      replace(tip, tipContent(s, by));
      tip.hidden = false;
      tip.style.top = `${mark.offsetTop + mark.offsetHeight + 6}px`;
      tip.style.left = `${mark.offsetLeft}px`;
      mark.setAttribute('aria-describedby', tip.id);
    };
    const hide = () => {
      tip.hidden = true;
      mark.removeAttribute('aria-describedby');
    };
    mark.addEventListener('mouseenter', show);
    mark.addEventListener('focus', show);
    mark.addEventListener('mouseleave', () => { if (document.activeElement !== mark) hide(); });
    mark.addEventListener('blur', hide);
    mark.addEventListener('keydown', (e) => { if (e.key === 'Escape') hide(); });
    parts.push(mark);
    at = s.end;
  }
  if (at < out.length) parts.push(out.slice(at));
  return parts;
}

const ROLE: Record<SplitLine['role'], string> = {
  usage: 'data: attributed contribution',
  baseline: 'data: baseline pool',
  owner: 'model owner',
  compute: 'compute provider',
  treasury: 'protocol treasury',
};
const GROUP: Record<SplitLine['role'], string> = { usage: 'data', baseline: 'data', owner: 'owner', compute: 'compute', treasury: 'treasury' };

function payee(line: SplitLine): HTMLElement | string {
  if (line.account.startsWith('pool:')) return `${line.account.slice(5)}'s training contributors, shared at the next epoch close`;
  if (line.account === 'treasury') return 'treasury';
  return h('a', { href: `#/earnings?account=${line.account}`, title: line.account }, short(line.account));
}

function cost(a: Attribution, usage: Usage): HTMLElement {
  const fee = BigInt(a.fee);
  const groups = new Map<string, bigint>();
  for (const l of a.split) groups.set(GROUP[l.role], (groups.get(GROUP[l.role]) ?? 0n) + BigInt(l.amount));
  const share = (x: bigint) => (fee === 0n ? '0%' : percent(Number((x * 1_000_000n) / fee)));
  return h('section', { class: 'pg-cost', 'aria-label': 'Cost of this call' },
    h('h3', {}, 'Cost'),
    h('p', { class: 'pg-fee' }, 'This call cost ', h('strong', { 'data-fee': a.fee }, `${tokens(a.fee)} tokens`), ` (${a.fee} base units) for ${usage.prompt_tokens} prompt and ${usage.completion_tokens} output tokens.`),
    h('div', { class: 'pg-bar', 'aria-hidden': 'true' }, [...groups].map(([g, x]) => h('span', { class: `pg-bar-${g}`, style: `flex-grow: ${Number((x * 1000n) / (fee || 1n))}`, title: `${g} ${share(x)}` }, `${g} ${share(x)}`))),
    h('table', {},
      h('caption', { class: 'pg-caption' }, 'Where the fee went'),
      h('thead', {}, h('tr', {}, h('th', {}, 'role'), h('th', {}, 'to'), h('th', { class: 'num' }, 'tokens'), h('th', { class: 'num' }, 'share'))),
      h('tbody', {}, a.split.map((l) => h('tr', {}, h('td', {}, ROLE[l.role], l.contribution === undefined ? '' : ` #${l.contribution}`), h('td', {}, payee(l)), h('td', { class: 'num' }, tokens(l.amount)), h('td', { class: 'num' }, share(BigInt(l.amount)))))),
    ),
    h('p', {}, `Settled in log entry ${a.log_index}: `, h('a', { href: `#/receipts?index=${a.log_index}` }, 'see its receipt'), '.'),
  );
}

function sourceTable(by: Map<number, Source>, a: Attribution): HTMLElement {
  const attributed = a.contributions.reduce((t, c) => t + c.weight_ppm, 0);
  if (by.size === 0) {
    return h('section', { class: 'pg-sources' }, h('h3', {}, 'Sources'), h('p', {}, 'No part of this answer matched the model’s training data, so the data share went to the baseline pool: every contributor the model was trained on shares it.'));
  }
  return h('section', { class: 'pg-sources' },
    h('h3', {}, 'Sources'),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'contribution'), h('th', {}, 'author'), h('th', { class: 'num' }, 'weight'), h('th', {}, 'text'))),
      h('tbody', {}, [...by.values()].map((s) => h('tr', {},
        h('td', {}, h('span', { class: `pg-swatch pg-c${s.colour}`, 'aria-hidden': 'true' }), `#${s.id} `, h('a', { href: `#/datanets?name=${encodeURIComponent(s.datanet)}` }, s.datanet)),
        h('td', {}, h('a', { href: `#/earnings?account=${s.author}`, title: s.author }, short(s.author))),
        h('td', { class: 'num' }, percent(s.weightPpm)),
        h('td', { class: 'pg-source-text' }, s.text ?? 'withdrawn'),
      ))),
    ),
    h('p', { class: 'pg-muted' }, `${percent(attributed)} of the answer is attributed; the rest matched nothing long enough to name a source.`),
  );
}

/** Fills `answer` with the highlighted text and `details` with sources and cost; returns a one-line summary. */
export async function renderAnswer(answer: HTMLElement, details: HTMLElement, out: string, a: Attribution, usage: Usage): Promise<string> {
  const by = await sources(a);
  const tip = h('div', { class: 'pg-tip', role: 'tooltip', id: `pg-tip-${++tips}`, hidden: true });
  replace(answer, out === '' ? h('em', {}, '(the model answered nothing)') : highlighted(out, a.spans, by, tip));
  answer.after(tip);
  replace(details, sourceTable(by, a), cost(a, usage));
  const n = a.spans.length;
  return `Answer complete: ${n} highlighted span${n === 1 ? '' : 's'} from ${by.size} contribution${by.size === 1 ? '' : 's'}; it cost ${tokens(a.fee)} tokens.`;
}
