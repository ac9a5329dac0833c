// The cost of understanding one message: per-message wall time and CPU time (p50/p95/p99/max) of
// everything the assistant does with a message before it touches the database or Kafka (intent
// recognition, glossing, the embedding model on the message, its clauses and its words, BM25,
// confidence and margin), and the process's memory.
//   npx nx run assistant:latency                 (runs pinned to one core with taskset when available)
//   node dist/apps/assistant/src/evaluation/measure-latency.js [rounds]
// Wall time depends on what else the machine runs; CPU time (process.cpuUsage, every thread of the
// process, the model's included) does not, or much less: on a shared machine it is the figure to
// hold against the goal, the wall time shows what the load adds. Before each message the words
// embedded for earlier messages are forgotten: every message pays for its words as if it were new.
/* eslint-disable no-console */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { decide } from '../conversation/assistant-policy';
import { KnowledgeIndex } from '../retrieval/knowledge-index';
import { modelFiles } from '../retrieval/model-files';
import { SentenceEmbedder } from '../retrieval/sentence-embedder';
import { DEV_SET } from './dev-questions';
import { DEV_SET_2 } from './dev-questions-2';
import { DEV_SET_3 } from './dev-questions-3';
import { type Shop } from './evaluation-set';
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
  const messages = [...DEV_SET, ...DEV_SET_2, ...DEV_SET_3];
  // Warm-up: the first runs of the model allocate its buffers.
  for (const message of messages.slice(0, 20))
    await decide({ kind: 'text', text: message.text }, indexes[message.shop], { threshold: 0.5 });
  const times: number[] = [];
  const cpu: number[] = [];
  let peak = process.memoryUsage().rss;
  for (let round = 0; round < rounds; round++) {
    for (const message of messages) {
      indexes[message.shop].forgetMessageWords();
      const cpuStarted = process.cpuUsage();
      const started = performance.now();
      await decide({ kind: 'text', text: message.text }, indexes[message.shop], { threshold: 0.5 });
      times.push(performance.now() - started);
      const used = process.cpuUsage(cpuStarted);
      cpu.push((used.user + used.system) / 1000);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const line = (name: string, values: number[]) => {
    values.sort((a, b) => a - b);
    const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))]!.toFixed(2);
    return `${name}: p50 ${at(0.5)} ms  p95 ${at(0.95)} ms  p99 ${at(0.99)} ms  max ${values.at(-1)!.toFixed(2)} ms`;
  };
  console.log(`${times.length} messages (${messages.length} distinct x ${rounds} rounds), one thread for the model`);
  console.log(`${line('per message, CPU time ', cpu)}   (goal: p99 < 50 ms on one core)`);
  console.log(`${line('per message, wall time', times)}   (inflated by the machine's load)`);
  console.log(`model load and two knowledge bases embedded: ${loadMs.toFixed(0)} ms`);
  console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} (a busy machine inflates the tail)`);
  console.log(`memory: RSS ${mb(before)} before the model, ${mb(peak)} peak (goal for the service: < 400 MB)`);
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  if (hwm) console.log(`memory: peak RSS of this process over the whole run (VmHWM) ${mb(Number(hwm) * 1024)}`);
  await embedder.close();
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
