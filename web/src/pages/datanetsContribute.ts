// Contributing a file from the browser: pick it, hash it here (SHA-256), ask the node
// whether the datanet already holds it, sign a Contribute action with the wallet or the
// key kept in this browser, and show the receipt. Small files travel inline; larger ones
// are staged first with PUT /v1/blobs under an upload intent signed the same way, as the CLI
// does. The bytes never go anywhere
// before the user presses the button.
import { bytes } from '../../../src/format/text.ts';
import { api, ApiError } from '../api.ts';
import { h, notice, replace, short } from '../dom.ts';
import { act, actionSigner, getSigner, sha256Hex } from '../signer.ts';

/** Above this the bytes are staged as a raw upload rather than inlined as base64 (as in the CLI). */
const STAGE_THRESHOLD = 1024 * 1024;

export interface ContributeTarget {
  name: string;
  kind: 'text' | 'jsonl';
  policy: 'open' | 'curated';
}

function hasWallet(): boolean {
  return (window as unknown as { ethereum?: unknown }).ethereum !== undefined;
}

/** Who will sign, in words; a wallet is not asked for its account until the user acts. */
async function signerLine(): Promise<HTMLElement> {
  if (hasWallet()) return h('p', { id: 'signer' }, 'Signed by ', h('strong', {}, 'your browser wallet'), ': it will ask you to approve the signature.');
  const s = await getSigner();
  return h(
    'p',
    { id: 'signer' },
    'Signed by ',
    h('strong', {}, 'a key kept in this browser'),
    ' (account ',
    h('code', { title: s.address, 'data-address': s.address }, s.address),
    '). It lives in this browser’s storage: install a wallet extension to sign with your own account instead.',
  );
}

function describe(e: unknown): { text: string; hint: string } {
  const code = (e as { code?: unknown }).code;
  if (code === 4001) return { text: 'You declined the signature in your wallet.', hint: 'Nothing was sent. Press the button again to retry.' };
  if (!(e instanceof ApiError)) return { text: (e as Error).message, hint: 'Check that the node is running, then try again.' };
  const hints: Record<number, string> = {
    400: 'Fix what the message names (file type, encoding, or the datanet’s schema for JSONL), then try again.',
    401: 'The signature did not match: reload the page and try again.',
    409: 'This content is already in the datanet; its first contributor keeps the credit.',
    413: 'The file is larger than this node accepts.',
  };
  return { text: e.message, hint: hints[e.status] ?? 'Try again, or use the CLI: tributary contribute DATANET FILE.' };
}

export async function contributeForm(dn: ContributeTarget, maxContentBytes: number, onDone: () => void): Promise<HTMLElement> {
  const exts = dn.kind === 'jsonl' ? ['.jsonl'] : ['.txt', '.md', '.csv'];
  const input = h('input', { id: 'contribute-file', type: 'file', accept: exts.join(','), 'aria-describedby': 'contribute-help' });
  const button = h('button', { type: 'submit' }, 'Sign and contribute');
  const out = h('div', { id: 'contribute-result', 'aria-live': 'polite' });

  const submit = async () => {
    const file = input.files?.[0];
    if (!file) return replace(out, notice('error', 'Choose a file first.', h('p', {}, `Use the file field above; ${exts.join(', ')} files are accepted here.`)));
    const ext = file.name.slice(file.name.lastIndexOf('.')).toLowerCase();
    if (!exts.includes(ext)) return replace(out, notice('error', `${file.name} is not a ${exts.join(', ')} file.`, h('p', {}, `A ${dn.kind} datanet takes ${exts.join(', ')} files. Rename or convert the file, then pick it again.`)));
    if (file.size === 0) return replace(out, notice('error', `${file.name} is empty.`, h('p', {}, 'Pick a file with some content.')));
    if (file.size > maxContentBytes) return replace(out, notice('error', `${file.name} is ${bytes(file.size)}; this node takes at most ${bytes(maxContentBytes)}.`, h('p', {}, 'Split it into smaller files.')));
    button.disabled = true;
    try {
      const content = new Uint8Array(await file.arrayBuffer());
      const contentHash = await sha256Hex(content);
      replace(out, notice('info', `SHA-256 ${contentHash}. Checking whether ${dn.name} already holds it…`));
      const original = await api.findContent(dn.name, contentHash);
      if (original) {
        replace(out, notice('error', `This content is already contribution ${original.id} in ${dn.name}, by ${original.author}.`, h('p', {}, 'The first contributor keeps the credit. ', h('a', { href: `#/receipts?index=${original.id}` }, `See contribution ${original.id}’s receipt`), '.')));
        return;
      }
      const staged = content.length > STAGE_THRESHOLD;
      replace(out, notice('info', staged ? 'Waiting for your signature of the upload, then uploading, then for the signature of the contribution…' : 'Waiting for the signature…'));
      if (staged) await api.stageBlob(contentHash, content, await actionSigner());
      const action = { type: 'Contribute', datanet: dn.name, contentHash, size: content.length, fileName: file.name };
      const receipt = await act(action, staged ? undefined : content);
      const signer = await getSigner();
      const status = String(receipt.result.status ?? '');
      replace(
        out,
        h(
          'div',
          { class: 'notice info receipt', role: 'status' },
          h('h4', {}, `${file.name}: contribution ${receipt.result.contribution}, ${status}`),
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'log index'),
            h('dd', { 'data-index': receipt.index }, String(receipt.index)),
            h('dt', {}, 'leaf hash'),
            h('dd', {}, h('code', {}, receipt.leafHash)),
            h('dt', {}, 'content SHA-256'),
            h('dd', {}, h('code', {}, contentHash)),
            h('dt', {}, 'signed by'),
            h('dd', {}, h('code', { title: signer.address }, short(signer.address)), signer.kind === 'wallet' ? ' (your wallet)' : ' (the key kept in this browser)'),
          ),
          status === 'pending' && h('p', {}, 'A curator of this datanet decides whether to accept it; until then it is in no version.'),
          h('p', {}, h('a', { href: `#/receipts?index=${receipt.index}` }, `Open the receipt for entry ${receipt.index}`), ' to check its signature and inclusion proof.'),
        ),
      );
      input.value = '';
      onDone();
    } catch (e) {
      const { text, hint } = describe(e);
      replace(out, notice('error', `The contribution was not made: ${text}`, h('p', {}, hint)));
    } finally {
      button.disabled = false;
    }
  };

  return h(
    'form',
    { class: 'contribute', 'aria-labelledby': 'contribute-h', onsubmit: (ev: Event) => (ev.preventDefault(), void submit()) },
    h('h3', { id: 'contribute-h' }, `Contribute a file to ${dn.name}`),
    await signerLine(),
    h('label', { for: 'contribute-file' }, 'File'),
    input,
    h(
      'p',
      { id: 'contribute-help', class: 'muted' },
      `${exts.join(', ')}, at most ${bytes(maxContentBytes)}. `,
      dn.policy === 'open' ? 'This datanet is open: the contribution is accepted at once. ' : 'This datanet is curated: the contribution waits for a curator. ',
      'Its SHA-256 is computed here; contributing costs nothing and needs no balance.',
    ),
    button,
    out,
  );
}
