// The Playground: chat with any registered model through the node's OpenAI-compatible
// API (streamed), with an API key made and kept in this browser, and see whose
// contributions each part of the answer came from, what the call cost and where the
// money went. It must never show the API key itself, and never charge without the
// user pressing Send.
import { api, ApiError } from '../api.ts';
import { h, notice, replace, tokens } from '../dom.ts';
import type { Page } from '../router.ts';
import { getSigner } from '../signer.ts';
import { faucetButton, faucetOn } from './devFaucet.ts';
import { type Attribution, ensureApiKey, forgetApiKey, type Usage } from './playgroundApi.ts';
import { renderAnswer } from './playgroundAnswer.ts';
import { serverSentData } from './sse.ts';
import './playground.css';

interface Chunk {
  choices?: Array<{ delta?: { content?: string }; finish_reason: string | null }>;
  usage?: Usage;
  attribution?: Attribution;
  error?: { message: string };
}
type Message = { role: 'user' | 'assistant'; content: string };

/** An HTTP failure of the chat call, with OpenAI's error message. */
class ChatError extends ApiError {}

async function chatStream(key: string, body: unknown, onText: (t: string) => void): Promise<{ usage: Usage; attribution: Attribution }> {
  const res = await fetch('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
  if (!res.ok) {
    const e = (await res.json().catch(() => ({}))) as { error?: { message?: string; param?: string | null; code?: string | null } };
    throw new ChatError(res.status, e.error?.code ?? 'http_error', e.error?.param ?? undefined, e.error?.message ?? `${res.status} ${res.statusText}`);
  }
  let last: Chunk | undefined;
  for await (const data of serverSentData(res)) {
    const chunk = JSON.parse(data) as Chunk;
    if (chunk.error) throw new Error(`the node stopped the answer: ${chunk.error.message}`);
    const text = chunk.choices?.[0]?.delta?.content;
    if (text) onText(text);
    if (chunk.attribution) last = chunk;
  }
  if (!last?.attribution || !last.usage) throw new Error('the stream ended without its final chunk (attribution and usage): the answer was cut');
  return { usage: last.usage, attribution: last.attribution };
}

export const playground: Page = {
  title: 'Playground',
  nav: 3,
  async render(root) {
    const [models, signer, dev] = await Promise.all([api.models(), getSigner(), faucetOn()]);
    root.append(h('h1', {}, 'Playground'));
    if (models.length === 0) {
      root.append(notice('empty', 'No model is registered on this node yet, so there is nothing to chat with.', h('p', {}, 'Register one from the command line (', h('code', {}, 'tributary models register'), '), then come back. ', h('a', { href: '#/models' }, 'Models'), ' lists what is registered.')));
      return;
    }

    const balance = h('span', { class: 'pg-balance' }, '…');
    const wallet = h('div', { class: 'pg-wallet' });
    const refreshBalance = async () => {
      const a = await api.account(signer.address);
      replace(balance, `${tokens(a.prepaid)} tokens prepaid`);
      replace(wallet);
      if (BigInt(a.prepaid) === 0n) {
        wallet.append(
          dev
            ? notice('empty', 'No balance: every call is paid from a prepaid balance. In dev mode, get tokens from the faucet.', faucetButton(signer.address, refreshBalance))
            : notice('empty', 'No balance: every call is paid from a prepaid balance. Deposit tokens first (tributary deposit, see the chain docs).'),
        );
      }
    };
    root.append(
      h('p', {}, 'Ask any model on this node. Each part of the answer is highlighted by the contribution it was attributed to; hover or focus a highlight to see who wrote it and the matched source.'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'paying account'), h('dd', {}, h('code', { 'data-account': signer.address }, signer.address), ` (${signer.kind === 'wallet' ? 'your wallet' : 'a key kept in this browser'}) · `, balance, ' · ', h('a', { href: `#/earnings?account=${signer.address}` }, 'its earnings')),
      ),
      wallet,
    );
    await refreshBalance();

    const model = h('select', { id: 'pg-model' }, models.map((m) => h('option', { value: m.id }, `${m.id} — trained on ${m.tributary.datanet}@${m.tributary.snapshot}, ${tokens(m.tributary.policy.pricePer1kInput)} in / ${tokens(m.tributary.policy.pricePer1kOutput)} out per 1k tokens`)));
    const prompt = h('textarea', { id: 'pg-prompt', rows: 3, required: true, placeholder: 'Write a message; Ctrl+Enter sends' });
    const maxTokens = h('input', { id: 'pg-max', type: 'number', min: 1, max: 256, value: 48 });
    const temperature = h('input', { id: 'pg-temp', type: 'number', min: 0, max: 2, step: 0.1, value: 0 });
    const send = h('button', { type: 'submit' }, 'Send');
    const restart = h('button', { type: 'button', onclick: () => { messages.length = 0; replace(transcript); replace(status); prompt.focus(); } }, 'New chat');
    const transcript = h('ol', { class: 'pg-transcript', 'aria-label': 'Conversation' });
    const status = h('div', { class: 'pg-status', role: 'status', 'aria-live': 'polite' });
    const messages: Message[] = [];

    const form = h('form', { class: 'pg-form', onsubmit: (e: Event) => { e.preventDefault(); void ask(); } },
      h('div', { class: 'pg-row' },
        h('div', {}, h('label', { for: 'pg-model' }, 'Model'), model),
        h('div', {}, h('label', { for: 'pg-max' }, 'Max tokens'), maxTokens),
        h('div', {}, h('label', { for: 'pg-temp' }, 'Temperature'), temperature),
      ),
      h('label', { for: 'pg-prompt' }, 'Message'), prompt,
      h('div', { class: 'pg-actions' }, send, restart),
    );
    prompt.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit();
    });
    root.append(transcript, status, form);

    async function ask(): Promise<void> {
      const text = prompt.value.trim();
      if (text === '') return;
      send.disabled = true;
      replace(status, 'Sending…');
      messages.push({ role: 'user', content: text });
      const turn = h('li', { class: 'pg-turn' }, h('div', { class: 'pg-user' }, h('span', { class: 'pg-who' }, 'You'), h('p', {}, text)));
      const answer = h('div', { class: 'pg-answer', 'aria-busy': 'true' });
      const details = h('div', { class: 'pg-details' });
      turn.append(h('div', { class: 'pg-assistant' }, h('span', { class: 'pg-who' }, model.value), answer, details));
      transcript.append(turn);
      let out = '';
      const body = { model: model.value, messages, stream: true, max_tokens: Number(maxTokens.value) || 48, temperature: Number(temperature.value) || 0 };
      try {
        let key = await ensureApiKey(signer.address);
        let result;
        try {
          result = await chatStream(key, body, (t) => { out += t; answer.textContent = out; });
        } catch (e) {
          // A key this browser kept may be from another node's log, or revoked: make a new one once.
          if (!(e instanceof ChatError && e.status === 401)) throw e;
          forgetApiKey(signer.address);
          key = await ensureApiKey(signer.address);
          result = await chatStream(key, body, (t) => { out += t; answer.textContent = out; });
        }
        messages.push({ role: 'assistant', content: out });
        prompt.value = '';
        const summary = await renderAnswer(answer, details, out, result.attribution, result.usage);
        replace(status, summary);
      } catch (e) {
        messages.pop();
        turn.remove();
        replace(status);
        if (e instanceof ChatError && e.status === 402) {
          status.append(notice('error', `Balance too low for this call: ${e.message}`, dev ? h('p', {}, 'In dev mode, get tokens from the faucet, then send again. ', faucetButton(signer.address, async () => { await refreshBalance(); replace(status, 'Tokens credited: send again.'); })) : h('p', {}, 'Deposit tokens first (tributary deposit), then send again.')));
        } else {
          status.append(notice('error', `The call failed: ${(e as Error).message}`, h('p', {}, e instanceof ChatError && e.status === 400 ? 'Shorten the message or lower Max tokens (the context holds 512 tokens), or start a new chat.' : 'Check the node, then send again.')));
        }
      } finally {
        answer.removeAttribute('aria-busy');
        send.disabled = false;
        await refreshBalance().catch(() => undefined);
      }
    }
  },
};
