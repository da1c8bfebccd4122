// Demo data for a first start: two datanets with contributions written by three demo
// accounts, generated here from templates (no data is downloaded or copied in), and, in
// dev mode, the demo base model, an adapter trained on the notes by a demo worker, the
// model registered from that job, a few settled inferences and a closed epoch, so that
// provenance, earnings and payouts have something to show. The demo keys are derived from
// public strings: they are for trying things out only.
import { createHash } from 'node:crypto';
import { keys } from '../datanets/records.ts';
import type { ActionMessage } from '../protocol/entry.ts';
import { hashTypedData } from '../protocol/eip712.ts';
import { privateKeyToAddress, signDigest } from '../protocol/secp256k1.ts';
import { type DemoProgress, seedDemoModels } from './demoModels.ts';
import type { TributaryNode } from './node.ts';

export const DEMO_TEXT_DATANET = 'demo-river-notes';
export const DEMO_JSONL_DATANET = 'demo-river-qa';
export const DEMO_MODEL = 'demo-river';

export function demoPrivateKey(n: number): Buffer {
  return createHash('sha256').update(`tributary demo account ${n}`).digest();
}

const RIVERS = ['Amazon', 'Danube', 'Mekong', 'Niger', 'Volga', 'Murray', 'Yukon', 'Rhine', 'Ganges', 'Orinoco', 'Zambezi', 'Mississippi'];
const FACTS = [
  (r: string, n: number) => `The ${r} gathers water from ${n * 7 + 3} named tributaries before it reaches the sea.`,
  (r: string, n: number) => `Along the ${r}, spring floods rise about ${n + 2} metres and carry silt that feeds the farms downstream.`,
  (r: string, n: number) => `Fishers on the ${r} mark the seasons by which of ${n + 4} kinds of fish come upstream to spawn.`,
  (r: string, n: number) => `A small stream that joins the ${r} can still change its colour for ${n * 3 + 5} kilometres below the confluence.`,
];

function note(i: number): string {
  const r = RIVERS[i % RIVERS.length];
  const lines = [0, 1, 2, 3].map((k) => FACTS[(i + k) % FACTS.length](r, i + k));
  return `# Notes on the ${r}\n\n${lines.join('\n')}\n`;
}

const QA_SCHEMA = JSON.stringify({
  type: 'object',
  required: ['question', 'answer'],
  properties: { question: { type: 'string', minLength: 1 }, answer: { type: 'string', minLength: 1 } },
  additionalProperties: false,
});

function qa(i: number): string {
  return [0, 1, 2]
    .map((k) => {
      const r = RIVERS[(i * 3 + k) % RIVERS.length];
      return JSON.stringify({ question: `Which river is note ${i * 3 + k} about?`, answer: `The ${r}.` });
    })
    .join('\n') + '\n';
}

let nonce = 0n;

/** Signs an action with a local key, in process (nonce and a ten-minute expiry added), and submits it. */
export function signAndSubmit(node: TributaryNode, key: Buffer, action: Record<string, unknown>, content?: Buffer) {
  const full = { ...action, nonce: (BigInt(Date.now()) * 1000n + nonce++).toString(), expiry: Math.floor(Date.now() / 1000) + 600 } as unknown as ActionMessage;
  const digest = hashTypedData(node.protocol.typedData(node.params.chainId, full) as Parameters<typeof hashTypedData>[0]);
  return node.submitSigned({ action: full, signer: privateKeyToAddress(key), signature: signDigest(key, digest) }, content);
}

/** Creates the demo datanets unless they exist. Returns whether it created anything. */
export async function seedDemo(node: TributaryNode, progress?: DemoProgress): Promise<boolean> {
  if (node.state.get(keys.datanet(DEMO_TEXT_DATANET)) !== undefined) return false;
  const accounts = [1, 2, 3].map(demoPrivateKey);
  const act = (who: number, action: ActionMessage, content?: Buffer) => signAndSubmit(node, accounts[who], action, content);
  const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

  await act(0, {
    type: 'CreateDatanet',
    name: DEMO_TEXT_DATANET,
    description: 'Demo: short notes about rivers, written by three demo accounts.',
    license: 'CC0-1.0',
    kind: 'text',
    schema: '',
    policy: 'open',
    curators: [],
  });
  for (let i = 0; i < 12; i++) {
    const body = Buffer.from(note(i));
    await act(i % 3, { type: 'Contribute', datanet: DEMO_TEXT_DATANET, contentHash: sha(body), size: body.length, fileName: `river-${i + 1}.md` }, body);
  }
  await act(0, { type: 'Snapshot', datanet: DEMO_TEXT_DATANET });
  // Copy-paste defence on: a contribution mostly made of earlier notes gets flagged.
  await act(0, { type: 'SetDuplicatePolicy', datanet: DEMO_TEXT_DATANET, policy: 'flag', thresholdPpm: 500_000, minSpan: 16 });

  await act(1, {
    type: 'CreateDatanet',
    name: DEMO_JSONL_DATANET,
    description: 'Demo: question/answer records, curated by demo account 2.',
    license: 'CC0-1.0',
    kind: 'jsonl',
    schema: QA_SCHEMA,
    policy: 'curated',
    curators: [],
  });
  const ids: number[] = [];
  for (let i = 0; i < 4; i++) {
    const body = Buffer.from(qa(i));
    const r = await act(i % 2 === 0 ? 0 : 2, { type: 'Contribute', datanet: DEMO_JSONL_DATANET, contentHash: sha(body), size: body.length, fileName: `qa-${i + 1}.jsonl` }, body);
    ids.push(r.result.contribution as number);
  }
  await act(1, { type: 'Curate', contribution: ids[0], decision: 'accept', reason: 'clear and correct' });
  await act(1, { type: 'Curate', contribution: ids[1], decision: 'accept', reason: 'clear and correct' });
  await act(1, { type: 'Curate', contribution: ids[2], decision: 'reject', reason: 'demo of a rejection' });
  await act(1, { type: 'Snapshot', datanet: DEMO_JSONL_DATANET });
  // The demo's model and inferences are paid with faucet credit: a play-money ledger's only.
  if (node.config.dev && node.moneyKind === 'play') {
    const made = await seedDemoModels(node, act, accounts, DEMO_TEXT_DATANET, progress);
    await seedDemoSettlement(node, act, accounts.map(privateKeyToAddress), made);
  }
  return true;
}

/**
 * The demo model on the notes, registered by demo account 2 from its training job, demo
 * account 3 funded by the faucet and paying for three inferences served by demo account 1,
 * and epoch 1 closed.
 */
async function seedDemoSettlement(node: TributaryNode, act: (who: number, action: ActionMessage) => Promise<unknown>, addresses: string[], made: { base: string; adapter: string; job: number }) {
  const token = 10n ** 18n;
  await act(1, {
    type: 'RegisterModel',
    name: DEMO_MODEL,
    datanet: DEMO_TEXT_DATANET,
    snapshot: 1,
    base: made.base,
    adapter: made.adapter,
    pricePer1kInput: (2n * token).toString(),
    pricePer1kOutput: (6n * token).toString(),
    dataBps: 5000,
    ownerBps: 2500,
    computeBps: 2000,
    treasuryBps: 500,
    baselineBps: 2000,
    job: made.job,
  });
  await node.settlement.faucet(addresses[2], 100n * token);
  const outputs = [note(4).split('\n')[2], `${note(7).split('\n')[3]} ${note(1).split('\n')[4]}`, 'A river is a stream of fresh water flowing to the sea.'];
  for (const output of outputs)
    await node.settlement.recordInference({ model: `${DEMO_MODEL}@1`, requester: addresses[2], provider: addresses[0], inputTokens: 120, output });
  await node.settlement.closeEpoch();
}
