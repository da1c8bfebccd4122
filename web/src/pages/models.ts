// The Models page: every registered model version (GET /v1/models), and one of them
// (#/models?id=name@version) with its provenance, base model → datanet snapshot → adapter
// → this version, as a structured list a screen reader reads in order; its fee policy,
// fixed at registration; its held-out evaluation loss against the base model's; and its
// usage. Every log index links to the Receipts page, where it can be checked. It reads
// only: registering a model is a signed action (`tributary models register`, `tributary train`).
import { api, ApiError } from '../api.ts';
import { h, notice, short, time, tokens } from '../dom.ts';
import type { BaseModel } from '../../../src/wire/baseModels.ts';
import type { ModelInfo } from '../../../src/wire/models.ts';
import type { Page } from '../router.ts';
import './models.css';

const NO_ADAPTER = '0x' + '00'.repeat(32);

export const models: Page = {
  title: 'Models',
  nav: 2,
  async render(root, params) {
    const id = params.get('id');
    const data = await api.models();
    if (id === null) return renderList(root, data);
    const model = data.find((m) => m.id === id);
    if (!model) {
      root.append(
        h('h1', {}, 'Models'),
        notice('error', `There is no model ${id} on this node.`, h('p', {}, 'Model ids are name@version, like demo-river@1. ', h('a', { href: '#/models' }, 'See every registered model'), '.')),
      );
      return;
    }
    const base = await api.baseModel(model.tributary.base).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    });
    renderModel(root, model, base);
  },
};

const receiptLink = (index: number, label: string) => h('a', { href: `#/receipts?index=${index}` }, label);
const pct = (bps: number) => `${bps / 100}%`;
const count = (n: number) => n.toLocaleString('en-US');
const loss = (x: number) => x.toFixed(4);

function renderList(root: HTMLElement, list: ModelInfo[]): void {
  root.append(h('h1', {}, 'Models'), h('p', {}, 'Every model version registered on this node, with what it was trained on and what it costs. Its fee policy is fixed for good when it is registered.'));
  if (list.length === 0) {
    root.append(
      notice(
        'empty',
        'No model is registered on this node yet.',
        h('p', {}, 'Train an adapter on a datanet and register it in one step with ', h('code', {}, 'tributary train DATANET@VERSION --base BASE --name NAME --price-in 2 --price-out 6'), ', or register a model you have with ', h('code', {}, 'tributary models register'), '. A node started with ', h('code', {}, 'tributary start'), ' in dev mode seeds a demo model.'),
      ),
    );
    return;
  }
  root.append(
    h(
      'table',
      { class: 'models-table' },
      h('caption', {}, `${list.length} model version${list.length === 1 ? '' : 's'}`),
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, 'model'), h('th', { scope: 'col' }, 'trained on'), h('th', { scope: 'col', class: 'num' }, 'eval loss (base)'), h('th', { scope: 'col', class: 'num' }, 'price per 1k tokens in / out'), h('th', { scope: 'col', class: 'num' }, 'inferences'), h('th', { scope: 'col', class: 'num' }, 'fees')),
      ),
      h(
        'tbody',
        {},
        list.map((m) => {
          const t = m.tributary;
          return h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('a', { href: `#/models?id=${encodeURIComponent(m.id)}` }, m.id)),
            h('td', {}, t.datanet ? `${t.datanet} v${t.snapshot}` : 'no datanet'),
            h('td', { class: 'num' }, t.training ? `${loss(t.training.evalLoss)} (${loss(t.training.baseEvalLoss)})` : '—'),
            h('td', { class: 'num' }, `${tokens(t.policy.pricePer1kInput)} / ${tokens(t.policy.pricePer1kOutput)}`),
            h('td', { class: 'num' }, count(t.usage.inferences)),
            h('td', { class: 'num' }, tokens(t.usage.fees)),
          );
        }),
      ),
    ),
    h('p', { class: 'hint' }, 'Prices and fees are in tokens (18 decimals). Eval loss is nats per token on held-out text; lower is better.'),
  );
}

function renderModel(root: HTMLElement, m: ModelInfo, base: BaseModel | undefined): void {
  const t = m.tributary;
  root.append(
    h('p', {}, h('a', { href: '#/models' }, '← All models')),
    h('h1', {}, m.id),
    h('p', {}, `Owned by `, h('code', {}, t.owner), `, registered ${time(m.created)} in log entry ${t.registeredAt} (`, receiptLink(t.registeredAt, 'check its receipt'), ').'),
    h('section', { 'aria-labelledby': 'model-provenance' }, h('h2', { id: 'model-provenance' }, 'Provenance'), h('p', {}, 'Where this model came from, in order. Each step is an entry in the signed log.'), provenance(m, base)),
    h('section', { 'aria-labelledby': 'model-eval' }, h('h2', { id: 'model-eval' }, 'Evaluation'), evaluation(t.training)),
    h('section', { 'aria-labelledby': 'model-fees' }, h('h2', { id: 'model-fees' }, 'Fee policy'), feePolicy(t.policy)),
    h('section', { 'aria-labelledby': 'model-usage' }, h('h2', { id: 'model-usage' }, 'Usage'), usage(t.usage)),
  );
}

function facts(rows: [string, string | Node][]): HTMLElement {
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

const hash = (x: string) => h('code', { title: x }, short(x, 8));

function provenance(m: ModelInfo, base: BaseModel | undefined): HTMLElement {
  const t = m.tributary;
  const tr = t.training;
  const stage = (heading: string, ...body: (HTMLElement | string)[]) =>
    h('li', { class: 'stage' }, h('h3', {}, heading), ...body, h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'));
  return h(
    'ol',
    { class: 'provenance', 'aria-label': `Provenance of ${m.id}: base model, training data, adapter, model version` },
    stage(
      'Base model',
      base
        ? facts([
            ['name', base.name],
            ['file', hash(base.hash)],
            ['shape', `llama, ${count(base.parameters)} parameters, ${base.blockCount} blocks, width ${base.embeddingLength}, context ${base.contextLength}`],
            ['tokenizer', `${base.tokenizer.model}, ${count(base.vocabSize)} tokens`],
            ['registered', receiptLink(base.registeredAt, `log entry ${base.registeredAt}`)],
          ])
        : facts([['file', hash(t.base)], ['registered', 'not a registered base model on this node']]),
    ),
    stage(
      'Training data',
      t.datanet
        ? facts([
            ['datanet', h('a', { href: `#/datanets?name=${encodeURIComponent(t.datanet)}` }, t.datanet)],
            ['snapshot', `version ${t.snapshot}`],
            ['snapshot root', hash(t.snapshotRoot)],
            ['training set', `${count(t.trainingContributions)} contributions, ${count(t.trainingTokens)} tokens`],
          ])
        : h('p', {}, 'No datanet: this version names no training data, so no contributors share its fees.'),
    ),
    stage(
      'Adapter',
      t.adapter === NO_ADAPTER
        ? h('p', {}, 'No adapter: the base model serves as it is.')
        : facts([
            ['file', hash(t.adapter)],
            ...(tr
              ? ([
                  ['training job', receiptLink(tr.job, `job ${tr.job}`)],
                  ['trainer', tr.trainerVersion],
                  ['config', hash(tr.configHash)],
                  ['worker', h('code', {}, tr.worker)],
                  ['eval loss', `${loss(tr.evalLoss)} vs base ${loss(tr.baseEvalLoss)}`],
                ] as [string, string | Node][])
              : ([['made', 'outside this node: no training job, no measured loss']] as [string, string][])),
          ]),
    ),
    stage(
      'This model',
      facts([
        ['version', `${t.name} version ${t.version}`],
        ['owner', h('code', {}, t.owner)],
        ['registered', receiptLink(t.registeredAt, `log entry ${t.registeredAt}`)],
      ]),
    ),
  );
}

function evaluation(tr: ModelInfo['tributary']['training']): HTMLElement {
  if (!tr) return h('p', {}, 'Not measured: no training job on this node made this adapter, so no held-out loss was recorded.');
  const gain = tr.baseEvalLoss - tr.evalLoss;
  const top = Math.max(tr.evalLoss, tr.baseEvalLoss) || 1;
  const bar = (label: string, x: number, cls: string) =>
    h('div', { class: 'loss-row' }, h('span', { class: 'loss-label' }, label), h('span', { class: `loss-bar ${cls}`, style: `width: ${(70 * x) / top}%` }), h('span', { class: 'num' }, loss(x)));
  return h(
    'div',
    {},
    h(
      'p',
      {},
      `On the job's held-out split the adapter scores ${loss(tr.evalLoss)} nats per token, against ${loss(tr.baseEvalLoss)} for the base model alone: `,
      h('strong', {}, `${loss(gain)} lower (${((100 * gain) / tr.baseEvalLoss).toFixed(1)}%)`),
      '. The node measured both itself before it logged the job as done.',
    ),
    h('div', { class: 'loss-chart', 'aria-hidden': 'true' }, bar('adapter', tr.evalLoss, 'adapter'), bar('base', tr.baseEvalLoss, 'base')),
  );
}

function feePolicy(p: ModelInfo['tributary']['policy']): HTMLElement {
  const parts: [keyof ModelInfo['tributary']['policy']['shares'], string][] = [
    ['data', 'to the contributors of the training data'],
    ['owner', "to the model's owner"],
    ['compute', 'to whoever served the call'],
    ['treasury', "to the node's treasury"],
  ];
  return h(
    'div',
    {},
    facts([
      ['per 1k input tokens', `${tokens(p.pricePer1kInput)} tokens`],
      ['per 1k output tokens', `${tokens(p.pricePer1kOutput)} tokens`],
    ]),
    h('div', { class: 'share-bar', 'aria-hidden': 'true' }, parts.map(([k]) => h('span', { class: `share ${k}`, style: `width: ${p.shares[k] / 100}%` }, p.shares[k] >= 800 ? k : ''))),
    h(
      'table',
      { class: 'shares' },
      h('caption', {}, 'How each fee is split'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'share'), h('th', { scope: 'col', class: 'num' }, 'of each fee'), h('th', { scope: 'col' }, 'paid'))),
      h(
        'tbody',
        {},
        parts.map(([k, who]) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('span', { class: `swatch ${k}`, 'aria-hidden': 'true' }), k),
            h('td', { class: 'num' }, pct(p.shares[k])),
            h('td', {}, who, k === 'data' ? `: ${pct(p.baselineBps)} of it as a baseline to every training contribution by its tokens, the rest by attribution of each answer` : ''),
          ),
        ),
      ),
    ),
  );
}

function usage(u: ModelInfo['tributary']['usage']): HTMLElement {
  if (u.inferences === 0) return h('p', {}, 'Not used yet: no inference has been paid for. Try it in the ', h('a', { href: '#/playground' }, 'Playground'), '.');
  return facts([
    ['inferences', count(u.inferences)],
    ['tokens', `${count(u.inputTokens)} in, ${count(u.outputTokens)} out`],
    ['fees', `${tokens(u.fees)} tokens`],
    ['paid to', `data ${tokens(u.data)}, owner ${tokens(u.owner)}, compute ${tokens(u.compute)}, treasury ${tokens(u.treasury)}`],
  ]);
}
