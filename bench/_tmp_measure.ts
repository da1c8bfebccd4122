import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextGenerator } from './corpus.ts';
import { AttributionIndex } from '../src/attribution/index.ts';
import { InlineBuilder } from '../src/attribution/builder.ts';
import { defaultTokenizer } from '../src/attribution/tokenizer/default.ts';
const tok = defaultTokenizer();
const gen = new TextGenerator(5);
const long = gen.document(80_000); // ~500k chars
const idx = new AttributionIndex(mkdtempSync(join(tmpdir(), 'm-')), tok, new InlineBuilder(tok));
await idx.sync(() => ({ logSize: 1, wanted: new Set([1]), text: () => long }));
for (const n of [25_000, 50_000, 100_000, 200_000]) {
  const q = long.slice(0, n);
  const t0 = performance.now();
  const a = idx.attribute(q);
  console.log(n, 'chars copied', a.tokens, 'tokens', (performance.now() - t0).toFixed(0), 'ms');
}
