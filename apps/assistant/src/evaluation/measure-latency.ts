// The cost of understanding one message: per-message latency (p50/p95/p99/max) of everything the
// assistant does with a message before it touches the database or Kafka (intent recognition,
// glossing, the embedding model, BM25, confidence and margin), and the process's memory.
//   npx nx run assistant:latency                 (runs pinned to one core with taskset when available)
//   node dist/apps/assistant/src/evaluation/measure-latency.js [rounds]
/* eslint-disable no-console */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { decide } from '../conversation/assistant-policy';
import { KnowledgeIndex } from '../retrieval/knowledge-index';
import { modelFiles } from '../retrieval/model-files';
import { SentenceEmbedder } from '../retrieval/sentence-embedder';
import { DEV_SET } from './dev-questions';
import { type Shop } from './evaluation-set';
import { HELD_OUT } from './held-out-questions';
import { PERFUME_KNOWLEDGE, SHOP_KNOWLEDGE } from './shop-knowledge';

const rounds = Number(process.argv[2] ?? 10);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const before = process.memoryUsage().rss;
  const loadStarted = performance.now();
  const embedder = await SentenceEmbedder.load(modelFiles());
  const indexes: Record<Shop, KnowledgeIndex> = {
    shoes: await KnowledgeIndex.build(SHOP_KNOWLEDGE, embedder),
    perfume: await KnowledgeIndex.build(PERFUME_KNOWLEDGE, embedder),
  };
  const loadMs = performance.now() - loadStarted;
  const messages = [...HELD_OUT, ...DEV_SET];
  // Warm-up: the first runs of the model allocate its buffers.
  for (const message of messages.slice(0, 20))
    await decide({ kind: 'text', text: message.text }, indexes[message.shop], { threshold: 0.5 });
  const times: number[] = [];
  let peak = process.memoryUsage().rss;
  for (let round = 0; round < rounds; round++) {
    for (const message of messages) {
      const started = performance.now();
      await decide({ kind: 'text', text: message.text }, indexes[message.shop], { threshold: 0.5 });
      times.push(performance.now() - started);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
  console.log(`${times.length} messages (${messages.length} distinct x ${rounds} rounds), one thread for the model`);
  console.log(
    `per message: p50 ${at(0.5)} ms  p95 ${at(0.95)} ms  p99 ${at(0.99)} ms  max ${times.at(-1)!.toFixed(2)} ms   (goal: p99 < 50 ms)`,
  );
  console.log(`model load and two knowledge bases embedded: ${loadMs.toFixed(0)} ms`);
  console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} (a busy machine inflates the tail)`);
  console.log(`memory: RSS ${mb(before)} before the model, ${mb(peak)} peak (goal for the service: < 400 MB)`);
  await embedder.close();
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
