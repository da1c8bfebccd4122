// Token counts under a base model's own tokenizer: the counts the node charges for,
// whichever backend generates. Each base is loaded vocabulary-only (no weights), once.
import type { Llama, LlamaModel } from 'node-llama-cpp';

export class Tokenizers {
  private readonly models = new Map<string, Promise<LlamaModel>>();

  constructor(private readonly llama: () => Promise<Llama>) {}

  async count(basePath: string, text: string): Promise<number> {
    let t = this.models.get(basePath);
    if (!t) {
      t = this.llama().then((l) => l.loadModel({ modelPath: basePath, vocabOnly: true }));
      this.models.set(basePath, t);
      t.catch(() => this.models.delete(basePath));
    }
    return (await t).tokenize(text).length;
  }

  async close(): Promise<void> {
    for (const t of this.models.values()) await (await t).dispose();
    this.models.clear();
  }
}
