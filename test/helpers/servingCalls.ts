// Inference calls by plain HTTP for the serving tests, so that every byte that came back is
// seen (the OpenAI client hides what preceded an error), and the log read back decoded.
import { expect } from 'vitest';
import type { TributaryClient } from '../../src/client/client.ts';

export interface Answer {
  status: number;
  contentType: string;
  body: string;
  /** The text of the stream's (or answer's) choices. */
  text: string;
  /** The fee in the final chunk's (or the answer's) attribution. */
  fee?: bigint;
}

function post(url: string, key: string, path: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body), signal });
}

/** One call to completions or chat completions, streamed or not; a 200 must carry no error chunk. */
export async function call(url: string, key: string, path: '/v1/completions' | '/v1/chat/completions', body: Record<string, unknown>): Promise<Answer> {
  const res = await post(url, key, path, body);
  const text = await res.text();
  const answer: Answer = { status: res.status, contentType: res.headers.get('content-type') ?? '', body: text, text: '' };
  if (res.status !== 200) return answer;
  const parts = body.stream ? text.split('\n\n').filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]').map((l) => JSON.parse(l.slice(6))) : [JSON.parse(text)];
  for (const p of parts) {
    expect(p.error, p.error?.message).toBeUndefined();
    const c = p.choices[0];
    answer.text += c.text ?? c.delta?.content ?? c.message?.content ?? '';
    if (p.attribution) answer.fee = BigInt(p.attribution.fee);
  }
  return answer;
}

/**
 * A streamed completion whose first chunk of text calls `onText` (to disconnect, or to kill
 * the node); resolves when the stream ends or breaks.
 */
export async function streamedCall(url: string, key: string, body: Record<string, unknown>, onText: (abort: () => void) => void): Promise<void> {
  const ctl = new AbortController();
  let told = false;
  try {
    const res = await post(url, key, '/v1/completions', { ...body, stream: true }, ctl.signal);
    const reader = res.body!.getReader();
    let seen = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      seen += new TextDecoder().decode(value);
      if (!told && seen.includes('\n\n')) {
        told = true;
        onText(() => ctl.abort());
      }
    }
  } catch {
    // Disconnected on purpose, or the node died.
  }
}

/** The log's entries from `from` on, decoded. */
export async function logEntries(client: TributaryClient, from = 0): Promise<Array<{ index: number; action: Record<string, unknown> }>> {
  const out = [];
  const size = (await client.node()).size;
  for (let i = from; i < size; i++) out.push({ index: i, action: JSON.parse(Buffer.from((await client.entry(i)).data, 'base64').toString('utf8')).action });
  return out;
}
