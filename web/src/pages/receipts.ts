// The Receipts page: proof that an action is in the log, checked here in the browser
// (the same verifier as `tributary receipt verify`, on noble's SHA-256 and Ed25519), step
// by step, with the values each step compared.
// A receipt comes from a log index (assembled from the public log endpoints any
// transparency-log tool reads) or from a pasted or opened receipt file. It must never show
// a receipt as verified on the node's word: every step is recomputed in ../receiptCheck.ts.
import { api } from '../api.ts';
import { h, notice, replace, short } from '../dom.ts';
import type { Page } from '../router.ts';
import { decodeBase64Strict, toHex } from '../../../src/ledger/encoding.ts';
import { pinKey, trustNodeKey } from '../keyPin.ts';
import { type KeyTrust, parseReceipts, type Receipt, type ReceiptReport, type Step, verifyReceipt, withEntryText } from '../receiptCheck.ts';
import './receipts.css';

export const receipts: Page = {
  title: 'Receipts',
  nav: 5,
  async render(root, params) {
    const { size } = await api.node();
    const results = h('div', { class: 'receipt-results' });
    root.append(
      h('h1', {}, 'Receipts'),
      h(
        'p',
        {},
        'A receipt proves that an action is in this node’s log. This page checks it here, in your browser: the node’s key, the signature on its checkpoint, the entry’s hash and the Merkle proof are all recomputed, not taken on trust.',
      ),
      indexForm(size, params.get('index') ?? '', results),
      // Between the two forms, so a log entry's report is in view without scrolling.
      results,
      pasteForm(results),
    );
    const index = params.get('index');
    if (index !== null) await showIndex(results, index, size);
  },
};

function indexForm(size: number, value: string, results: HTMLElement): HTMLElement {
  const input = h('input', { id: 'receipt-index', name: 'index', type: 'number', min: 0, max: Math.max(0, size - 1), step: 1, required: true, value, 'aria-describedby': 'receipt-index-hint' });
  return h(
    'form',
    {
      class: 'receipt-form',
      'aria-labelledby': 'receipt-index-heading',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const target = `#/receipts?index=${input.value.trim()}`;
        // The same hash again would not fire hashchange: check in place then.
        if (location.hash === target) void showIndex(results, input.value.trim(), size);
        else location.hash = target;
      },
    },
    h('h2', { id: 'receipt-index-heading' }, 'Check a log entry'),
    h('label', { for: 'receipt-index' }, 'Log index'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Fetch and verify')),
    h('p', { id: 'receipt-index-hint', class: 'hint' }, size > 0 ? `The log has ${size} entries: 0 to ${size - 1}. Every command and API call that changes something answers with its index.` : 'The log is empty.'),
  );
}

function pasteForm(results: HTMLElement): HTMLElement {
  const text = h('textarea', { id: 'receipt-json', name: 'receipt', rows: 8, spellcheck: 'false', 'aria-describedby': 'receipt-json-hint' });
  const file = h('input', {
    id: 'receipt-file',
    type: 'file',
    accept: '.json,application/json',
    onchange: async () => {
      const f = file.files?.[0];
      if (f) text.value = await f.text();
    },
  });
  const key = h('input', { id: 'receipt-key', name: 'key', type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: 'name+keyid+base64', 'aria-describedby': 'receipt-key-hint' });
  return h(
    'form',
    {
      class: 'receipt-form',
      'aria-labelledby': 'receipt-paste-heading',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void showPasted(results, text.value, key.value.trim());
      },
    },
    h('h2', { id: 'receipt-paste-heading' }, 'Check a saved receipt'),
    h('label', { for: 'receipt-json' }, 'Receipt JSON'),
    text,
    h('p', { id: 'receipt-json-hint', class: 'hint' }, 'As saved by ', h('code', {}, 'tributary … --receipt FILE'), ' or returned by ', h('code', {}, 'POST /v1/actions'), ': one receipt or a list of them.'),
    h('label', { for: 'receipt-file' }, 'Or open a receipt file'),
    file,
    h('label', { for: 'receipt-key' }, 'Verifier key (optional)'),
    key,
    h('p', { id: 'receipt-key-hint', class: 'hint' }, 'Leave empty to use this node’s key (', h('code', {}, 'GET /v1/log/key'), '). Give another node’s key to check its receipts.'),
    h('button', { type: 'submit' }, 'Verify receipt'),
  );
}

/** Fetches entry `raw` as a receipt from the log endpoints, then verifies it. */
async function showIndex(results: HTMLElement, raw: string, size: number): Promise<void> {
  if (!/^\d+$/.test(raw) || Number(raw) >= size) {
    replace(results, notice('error', `There is no log entry ${JSON.stringify(raw)}.`, h('p', {}, size > 0 ? `Enter a whole number from 0 to ${size - 1}.` : 'The log is empty: nothing has been logged yet.')));
    return;
  }
  const index = Number(raw);
  replace(results, notice('info', `Fetching entry ${index} and its proof…`));
  let receipt: Receipt;
  let trust: Awaited<ReturnType<typeof nodeKeyTrust>>;
  try {
    [receipt, trust] = await Promise.all([fetchReceipt(index), nodeKeyTrust()]);
  } catch (e) {
    replace(results, notice('error', `Could not fetch entry ${index}: ${(e as Error).message}`, h('p', {}, 'Check that the node is running, then try again.')));
    return;
  }
  replace(results, await reportSection(receipt, trust.key, trust, `Log entry ${index}`));
  focusHeading(results);
}

async function showPasted(results: HTMLElement, text: string, givenKey: string): Promise<void> {
  if (text.trim() === '') {
    replace(results, notice('error', 'Paste a receipt first, or open a receipt file.'));
    return;
  }
  let list: Receipt[];
  try {
    list = parseReceipts(text);
  } catch (e) {
    replace(results, notice('error', `Not a receipt: ${(e as Error).message}.`, h('p', {}, 'Paste the whole JSON that was saved, starting with { or [.')));
    return;
  }
  let trust: KeyTrust & { key: string };
  try {
    trust = givenKey !== '' ? { key: givenKey, status: 'passed', message: 'Given by you.' } : await nodeKeyTrust();
  } catch (e) {
    replace(results, notice('error', `Could not fetch this node's key: ${(e as Error).message}`, h('p', {}, 'Check that the node is running, or give the verifier key above.')));
    return;
  }
  const sections = [];
  for (const [i, r] of list.entries()) sections.push(await reportSection(r, trust.key, trust, list.length > 1 ? `Receipt ${i + 1}: log entry ${r.index}` : `Pasted receipt: log entry ${r.index}`));
  replace(results, ...sections);
  focusHeading(results);
}

/** A receipt from the same endpoints any transparency-log client uses; nothing in it is trusted yet. */
async function fetchReceipt(index: number): Promise<Receipt> {
  const [entry, checkpoint] = await Promise.all([api.entry(index), api.checkpoint()]);
  // The size only chooses which proof to ask for; step 4 checks it against the signed note.
  const size = Number(checkpoint.split('\n')[1]);
  const proof = await api.inclusionProof(index, size);
  return { index, leafHash: entry.leafHash, entry: entry.data, checkpoint, inclusionProof: proof };
}

async function nodeKeyTrust(): Promise<KeyTrust & { key: string; pinned?: string }> {
  const key = await api.verifierKey();
  return { key, ...trustNodeKey(location.origin, key) };
}

async function reportSection(receipt: Receipt, key: string, trust: KeyTrust & { pinned?: string }, title: string): Promise<HTMLElement> {
  const report = await verifyReceipt(receipt, key, trust);
  const id = `receipt-${receipt.index}-${Math.random().toString(36).slice(2, 8)}`;
  const section = h('section', { class: 'receipt-report', 'aria-labelledby': id });
  const body = h('div', {});
  replace(body, ...reportBody(receipt, report, trust));
  section.append(h('h2', { id, tabindex: -1 }, title), body);
  if (report.ok) section.append(tamperBox(receipt, key, trust));
  return section;
}

function reportBody(receipt: Receipt, report: ReceiptReport, trust: KeyTrust & { pinned?: string; key?: string }): HTMLElement[] {
  const verdict = notice(report.ok ? 'info' : 'error', report.verdict);
  verdict.classList.add('verdict', report.ok ? 'ok' : 'bad');
  verdict.tabIndex = -1;
  const actions = h('p', { class: 'receipt-actions' }, downloadLink(receipt));
  if (trust.status === 'warning' && trust.key) {
    const key = trust.key;
    actions.append(
      h(
        'button',
        {
          type: 'button',
          onclick: (e: Event) => {
            pinKey(location.origin, key);
            (e.currentTarget as HTMLButtonElement).replaceWith(h('span', { role: 'status' }, 'This browser now trusts the node’s new key.'));
          },
        },
        'Trust the new key',
      ),
    );
  }
  return [verdict, h('ol', { class: 'verify-steps' }, report.steps.map(stepItem)), actions];
}

const STATUS_TEXT: Record<Step['status'], string> = { passed: 'passed', warning: 'warning', failed: 'failed', 'not checked': 'not checked' };

function stepItem(step: Step): HTMLElement {
  const cls = step.status.replace(' ', '-');
  return h(
    'li',
    { class: `step ${cls}` },
    h('h3', {}, h('span', { class: 'badge', 'aria-hidden': 'true' }, step.status === 'passed' ? '✓' : step.status === 'failed' ? '✗' : step.status === 'warning' ? '!' : '–'), `${step.title}: `, h('span', { class: 'status' }, STATUS_TEXT[step.status])),
    h('p', { class: 'message' }, step.message),
    step.values.length > 0 &&
      h(
        'dl',
        { class: 'facts values' },
        step.values.map((v) => [h('dt', {}, v.label), h('dd', {}, v.mono ? h(v.value.includes('\n') ? 'pre' : 'code', {}, v.value) : v.value)]),
      ),
    step.path !== undefined && step.path.length > 0 && pathTable(step),
  );
}

function pathTable(step: Step): HTMLElement {
  return h(
    'table',
    { class: 'proof-path' },
    h('caption', {}, 'The path from the leaf to the root, one proof hash a level'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'level'), h('th', { scope: 'col' }, 'proof hash'), h('th', { scope: 'col' }, 'sits on the'), h('th', { scope: 'col' }, 'node made'))),
    h(
      'tbody',
      {},
      step.path!.map((p, i) =>
        h('tr', {}, h('td', { class: 'num' }, i + 1), h('td', {}, h('code', { title: toHex(p.sibling) }, short(toHex(p.sibling), 8))), h('td', {}, p.side), h('td', {}, h('code', { title: toHex(p.node) }, short(toHex(p.node), 8)))),
      ),
    ),
  );
}

function downloadLink(receipt: Receipt): HTMLElement {
  const blob = new Blob([JSON.stringify(receipt, null, 2) + '\n'], { type: 'application/json' });
  return h('a', { href: URL.createObjectURL(blob), download: `receipt-${receipt.index}.json` }, 'Download this receipt');
}

/** Lets a user see a check fail: the entry's text, editable, checked again with the same proof. */
function tamperBox(receipt: Receipt, key: string, trust: KeyTrust): HTMLElement {
  const id = `tamper-${receipt.index}-${Math.random().toString(36).slice(2, 8)}`;
  const text = h('textarea', { id, rows: 5, spellcheck: 'false' }, new TextDecoder().decode(decodeBase64Strict(receipt.entry)));
  const out = h('div', {});
  return h(
    'details',
    { class: 'tamper' },
    h('summary', {}, 'Try it: change the entry and check again'),
    h('label', { for: id }, 'Entry text (the exact bytes that were logged)'),
    text,
    h(
      'button',
      {
        type: 'button',
        onclick: async () => {
          const edited = withEntryText(receipt, text.value);
          replace(out, ...reportBody(edited, await verifyReceipt(edited, key, trust), trust));
          out.querySelector<HTMLElement>('.verdict')?.focus();
        },
      },
      'Check the edited entry',
    ),
    out,
  );
}

function focusHeading(results: HTMLElement): void {
  results.querySelector<HTMLElement>('h2[tabindex]')?.focus();
}
