// `npm run bench`: every figure issues #2, #9 and #15 name, each printed beside its target or its
// anchor. Machines are shared and noisy: compare ratios within one run.
import { runCryptoBench } from '../src/protocol/crypto.bench.ts';
import { benchPayoutTree } from '../src/settlement/payoutTree.bench.ts';
import { benchSettlement } from '../src/settlement/settlement.bench.ts';
import { benchTree } from '../src/ledger/tree.bench.ts';
import { runAttributionBench } from './attribution.bench.ts';
import { printCliBench, runCliBench } from './cli.bench.ts';
import { printEventLoopBench, runEventLoopBench } from './eventLoop.bench.ts';
import { runGasBench } from './gas.bench.ts';
import { runHttpContributeBench } from './httpContribute.bench.ts';
import { LOAD_DEFAULTS, runLoadBench } from './load.bench.ts';
import { runLogAppendBench } from './logAppend.bench.ts';
import { runProofBench } from './proofs.bench.ts';
import { runServingBench } from './serving.bench.ts';
import { runSettlementStateBench } from './settlementState.bench.ts';
import { runTrainerBench } from './trainer.bench.ts';
import { runWebBench } from './web.bench.ts';

const quick = process.argv.includes('--quick');
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const row = (name: string, value: string, anchor: string) => console.log(`  ${name.padEnd(52)} ${value.padStart(16)}   ${anchor}`);

console.log(`Tributary benchmarks (${quick ? 'quick' : 'full'} run), node ${process.version}, ${new Date().toISOString()}\n`);

console.log('CLI start-up (wall time of a fresh `tributary` process: the bundle in dist/cli beside tsx on the sources; issue 16)');
printCliBench(await runCliBench(quick), row);

console.log('\nLog append (node-signed Note entries, SQLite WAL synchronous=FULL, batched commits)');
const log = await runLogAppendBench(quick ? 20_000 : 100_000);
row('append of signed entries, durable', `${fmt(log.appendPerSecond)} /s`, `target >= 20,000/s; Trillian ~10,000/s per tree; Tessera ~2,900/s on 12 cores`);
row('Ed25519 signing of those entries (one core)', `${fmt(log.signPerSecond)} /s`, 'can run ahead of the sequencer on the other core');
row('sign then append, one thread', `${fmt(log.signAndAppendPerSecond)} /s`, `${log.entries} entries in ${log.batches} commits`);

console.log('\nSigned contributions over HTTP (EIP-712 verified, content checked, sequenced, durable)');
const HTTP_CONNECTIONS = 256;
const http = await runHttpContributeBench(quick ? 4_000 : 20_000, HTTP_CONNECTIONS);
row('contributions acknowledged', `${fmt(http.perSecond)} /s`, `target >= 2,000/s; JS secp256k1 alone ~500/s per core`);
row(`latency p50 / p99 (${HTTP_CONNECTIONS} connections)`, `${fmt(http.p50Ms, 1)} / ${fmt(http.p99Ms, 1)} ms`, `${http.accepted} of ${http.requests} accepted; ${fmt(http.meanBatch)} per commit; load generator used ${fmt(http.loadGeneratorCpu * 100)}% of a core`);

console.log('\nSignature primitives (one core)');
const c = await runCryptoBench({ seconds: quick ? 0.3 : 1 });
const anchors: Record<string, string> = {
  verifyActionPerSec: 'EIP-712 digest + native recovery; viem/noble ~400-700/s',
  recoverAddressPerSec: 'native secp256k1; ARCHITECTURE.md ~16,000/s',
  viemRecoverTypedDataAddressPerSec: 'the pure-JS path we avoid',
  keccak256Of200BytesPerSec: 'native keccak; ARCHITECTURE.md ~270,000/s',
};
for (const [k, v] of Object.entries(c)) if (k.endsWith('PerSec')) row(k, `${fmt(v as number)} /s`, anchors[k] ?? '');

console.log('\nProofs from the SQLite tree');
const p = await runProofBench(quick ? 100_000 : 1_000_000);
row(`inclusion proof at ${fmt(p.size)} entries, mean / p99`, `${fmt(p.inclusionMeanMs, 3)} / ${fmt(p.inclusionP99Ms, 3)} ms`, `size ${p.inclusionBytes} bytes (${p.inclusionBytes / 32} hashes; log2 n = ${Math.ceil(Math.log2(p.size))})`);
row(`consistency proof at ${fmt(p.size)} entries, mean / p99`, `${fmt(p.consistencyMeanMs, 3)} / ${fmt(p.consistencyP99Ms, 3)} ms`, `size up to ${p.consistencyBytes} bytes`);
row('tree build (hash-store appends in one transaction)', `${fmt(p.size / p.buildSeconds)} /s`, `${fmt(p.buildSeconds, 1)} s`);

console.log('\nMerkle tree in memory (src/ledger on node:crypto: the sequencer\'s hashing)');
const mt = benchTree(quick ? 200_000 : 1_000_000);
row('leaf hash, 300-byte entries (one core)', `${fmt(mt.leafHashesPerSecond)} /s`, 'SHA-256(0x00 ‖ entry), node:crypto one-shot hash');
row(`append at ${fmt(mt.leaves)} leaves`, `${fmt(mt.appendsPerSecond)} /s`, '~2 SHA-256 a leaf; the hashes in flat buffers');
row('inclusion proof verify, mean', `${fmt(mt.inclusionVerifyMeanUs, 1)} µs`, `${mt.inclusionProofBytes} bytes; the same verifier runs on noble in the explorer`);

console.log('\nProof of Attribution (GPT-2 BPE tokens, SA-IS suffix array, synthetic corpus made by bench/corpus.ts)');
const a = await runAttributionBench(quick ? 2_000_000 : 10_000_000, quick ? 100 : 300);
row(`index build, ${fmt(a.tokens)} tokens in ${fmt(a.documents)} documents`, `${fmt(a.buildMTokPerSec, 2)} Mtok/s`, `target >= 5 Mtok/s; libsais (C) ~23 Mtok/s here: ratio ${fmt(a.buildMTokPerSec / 23, 2)}`);
row('tokenizing the corpus (one core)', `${fmt(a.tokenizeMTokPerSec, 2)} Mtok/s`, 'GPT-2 byte-level BPE in TypeScript');
row('query latency, 256-token output, p50 / p99', `${fmt(a.queryP50Ms, 2)} / ${fmt(a.queryP99Ms, 2)} ms`, 'targets p50 <= 1 ms, p99 <= 5 ms; infini-gram count ~20 ms on 1T tokens on disk');
row('bytes per token, on disk / in memory', `${fmt(a.diskBytesPerToken, 2)} / ${fmt(a.memoryBytesPerToken, 2)} B`, 'infini-gram 7 B/token');
row(`quality over ${a.queries} planted outputs: precision@3 / recall@3`, `${fmt(a.precisionAt3, 3)} / ${fmt(a.recallAt3, 3)}`, 'outputs copy 1-3 spans of 12-40 words from known contributions');
row('recall when every other copied word is replaced', `${fmt(a.paraphraseRecall, 3)}`, 'exact matching: paraphrase finds (almost) nothing, by design');

console.log('\nEvent loop under the most expensive requests, each with the largest input it allows (a `tributary start` child process; issue 15)');
printEventLoopBench(await runEventLoopBench(quick), row);

console.log('\nSettlement (in-process: attribution weights -> exact fee split -> journal lines -> balances)');
const st = benchSettlement(quick ? 50_000 : 200_000);
row('settlements, in memory', `${fmt(st.perSecond)} /s`, `target >= 20,000/s; ${fmt(st.lines / st.settlements, 1)} journal lines each (baseline pooled per model)`);
const ss = runSettlementStateBench(quick ? 5_000 : 20_000, quick ? 2_000 : 10_000);
row('InferenceRecords through the state machine, durable', `${fmt(ss.perSecond)} /s`, 'apply + state writes with state-root update + journal, SQLite FULL sync, 1,000 per commit; no signing or HTTP');
row(`epoch close: pool split over ${fmt(ss.epochAccounts - 2)} contributions, root of ${fmt(ss.epochAccounts)} accounts`, `${fmt(ss.epochCloseSeconds, 2)} s`, 'in one apply, so every replay recomputes the root');

console.log('\nPayout tree (leaves (address, uint256 cumulative), hashed as OpenZeppelin StandardMerkleTree)');
const pt = benchPayoutTree(quick ? 20_000 : 100_000, quick ? 200_000 : 1_000_000);
row(`build, ${fmt(pt.compare.leaves)} accounts: ours / @openzeppelin/merkle-tree`, `${fmt(pt.compare.oursSeconds, 2)} / ${fmt(pt.compare.librarySeconds, 1)} s`, `ratio ${fmt(pt.compare.speedup, 1)}x; the library ~16 s per ARCHITECTURE.md`);
row(`build, ${fmt(pt.large.leaves)} accounts (${pt.cores} cores)`, `${fmt(pt.large.seconds, 2)} s`, 'target <= 10 s');

console.log('\nOn-chain settlement gas (contracts/ via src/chain/compile.ts; cancun EVM in process, hardhat@2 EDR)');
const gas = await runGasBench(quick ? [1_000, 100_000] : [1_000, 100_000, 1_000_000]);
const gasFmt = (g: bigint) => `${fmt(Number(g))} gas`;
for (const c of gas.claims) {
  row(`claim at ${fmt(c.leaves)} leaves (first claim, account with no prior balance)`, gasFmt(c.gas), `${c.proofLength}-hash proof${c.leaves === 100_000 ? '; target <= 90,000; Uniswap MerkleDistributor ~95,000' : ''}`);
}
row(`its next claim at ${fmt(gas.laterClaim.leaves)} leaves, a later epoch`, gasFmt(gas.laterClaim.gas), 'cumulative: pays the difference; its slots are already set');
row('posting a payout root', gasFmt(gas.postRoot), `target <= 35,000; the distributor's first root ${fmt(Number(gas.postRootFirst))}`);
row('anchoring a log checkpoint', gasFmt(gas.anchor), `the first anchor ${fmt(Number(gas.anchorFirst))}`);
row('deposit after an approval / with a permit', `${fmt(Number(gas.deposit))} / ${fmt(Number(gas.depositWithPermit))}`, 'gas; into a vault already holding deposits');
row('withdrawal with a voucher', gasFmt(gas.withdraw), 'paid to an account holding no tokens');
row('moving deposits to the distributor (fundPayouts)', gasFmt(gas.fundPayouts), `the vault's first ${fmt(Number(gas.fundPayoutsFirst))}`);
for (const [name, g] of Object.entries(gas.deploy)) row(`deployment: ${name}`, gasFmt(g), '');

console.log('\nModel factory (built-in LoRA trainer, TensorFlow.js wasm, one thread, on models/demo-base.gguf)');
const tr = await runTrainerBench(quick ? 8 : 20);
row('LoRA training, batch 4 x 48 tokens, rank 8 on q,v,ffn', `${fmt(tr.tokensPerSecond)} tok/s`, `${fmt(tr.stepsPerSecond, 2)} steps/s; held-out loss ${fmt(tr.baseEvalLoss, 3)} -> ${fmt(tr.evalLoss, 3)} after ${tr.steps} steps`);

console.log('\nServing (embedded node-llama-cpp on the demo base model, 16-token answers)');
const sv = await runServingBench(quick ? 24 : 64);
row('overhead above generation, p50 / p99 (attribution, settlement, durable log)', `${fmt(sv.overheadP50Ms, 2)} / ${fmt(sv.overheadP99Ms, 2)} ms`, `target p50 <= 2 ms; generation itself p50 ${fmt(sv.generationP50Ms, 1)} ms`);
row('adapter switch (first call to an adapter not loaded)', `${fmt(sv.adapterSwitchMs, 1)} ms`, 'a new llama.cpp context with the adapter');
row(`throughput, 1 adapter, ${sv.concurrency} clients at once`, `${fmt(sv.tokensPerSecond1)} tok/s`, `the anchor for the ratios below; ${fmt(sv.meanBatch1, 1)} requests per batch on average`);
row('throughput, 10 distinct adapters / 1 adapter', `${fmt(sv.tokensPerSecond10 / sv.tokensPerSecond1, 2)}x`, `${fmt(sv.tokensPerSecond10)} tok/s; S-LoRA and LoRAX report close to flat`);
row('throughput, 100 distinct adapters / 1 adapter', `${fmt(sv.tokensPerSecond100 / sv.tokensPerSecond1, 2)}x`, `${fmt(sv.tokensPerSecond100)} tok/s; more adapters than fit in one batch: no batching across adapters`);
const rs = sv.resident;
row(`adapters resident at once within ${rs.budgetMiB} MiB (rank 4 on q,v; 2 x 512-token context each)`, `${fmt(rs.most)}`, `of ${rs.offered} offered; counted ${fmt(rs.accountedKiB)} KiB each, resident set grew ${fmt(rs.rssKiB)} KiB each; ${rs.recycles} model recycles`)

console.log('\nExplorer (web/, Vite build; pages in headless Chromium on the embedded node, empty node, cold browser context each load)');
const web = await runWebBench(quick ? 3 : 7);
row(`bundle: ${web.files} files, raw / gzip`, `${fmt(web.rawBytes / 1024, 1)} / ${fmt(web.gzipBytes / 1024, 1)} KiB`, 'target <= 100 KiB gzip; React + ReactDOM alone ~45 KiB gzip');
for (const [route, ms] of Object.entries(web.loadMs)) row(`page rendered: ${route} (median)`, `${fmt(ms)} ms`, 'target <= 1,000 ms');

console.log('\nLoad on loopback (autocannon in the bench process, closed loop; each API node a `tributary start` child process on 127.0.0.1)');
const load = await runLoadBench({ seconds: quick ? 3 : 10 });
const loadBase = load.find((r) => r.store === 'SQLite' && r.nodes === 1);
for (const kind of ['contributions', 'inferences'] as const) {
  for (const r of load) {
    const where = `${kind}, ${r.store}, ${r.nodes} API node${r.nodes === 1 ? '' : 's'}`;
    if ('notMeasured' in r) {
      row(where, 'not measured', r.notMeasured);
      continue;
    }
    const f = r[kind];
    const anchor =
      r === loadBase
        ? kind === 'contributions'
          ? `target >= 2,000/s; undici client above ${fmt(http.perSecond)}/s at ${HTTP_CONNECTIONS} connections`
          : `chat, ${LOAD_DEFAULTS.maxTokens}-token answers; in process above ${fmt(sv.requestsPerSecond1, 1)}/s with ${sv.concurrency} clients`
        : loadBase && !('notMeasured' in loadBase)
          ? `${fmt(f.perSecond / loadBase[kind].perSecond, 2)}x SQLite with 1 API node`
          : '';
    row(where, `${fmt(f.perSecond, kind === 'inferences' ? 1 : 0)} /s`, anchor);
    const extra = 'meanBatch' in f ? `; ${fmt(f.meanBatch)} per commit${f.signedDuringRun ? `; ${fmt(f.signedDuringRun)} signed during the run` : ''}` : '';
    row(
      `  latency p50 / p99 (${f.connections} connections)`,
      `${fmt(f.p50Ms)} / ${fmt(f.p99Ms)} ms`,
      `${fmt(f.ok)} answered, ${fmt(f.refused)} refused, ${fmt(f.errors)} errors in ${fmt(f.seconds, 1)} s${extra}; load generator ${fmt(f.loadGeneratorCpu * 100)}% of a core`,
    );
    for (const refusal of f.refusals) row('  refused, for example', '', refusal);
  }
}
