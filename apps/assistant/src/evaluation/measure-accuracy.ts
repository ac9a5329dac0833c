// How well the assistant understands messages, by category, against the goals of issue 20.
//   npx nx run assistant:accuracy                                   the held-out set (the figures to report)
//   npx nx run assistant:accuracy -- --set dev                      the development set (the one tuned on)
//   npx nx run assistant:accuracy -- --set dev --sweep              calibration, on the development set only
//   npx nx run assistant:accuracy -- --words-only                   without the embedding model (BM25 over glosses)
//   npx nx run assistant:accuracy -- --failures                     also list every message that went wrong
// The model comes from the project's cache (fetched from Maven Central if missing). Exit code 1 when a goal is missed.
/* eslint-disable no-console */
import { decide } from '../conversation/assistant-policy';
import { KnowledgeIndex, RETRIEVAL_TUNING } from '../retrieval/knowledge-index';
import { modelFiles } from '../retrieval/model-files';
import { SentenceEmbedder } from '../retrieval/sentence-embedder';
import { DEV_SET } from './dev-questions';
import { evaluate, type EvaluationMessage, type EvaluationReport, goals, type Shop } from './evaluation-set';
import { HELD_OUT } from './held-out-questions';
import { PERFUME_KNOWLEDGE, SHOP_KNOWLEDGE } from './shop-knowledge';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const setName = option('set') ?? 'held-out';
const set: readonly EvaluationMessage[] = setName === 'dev' ? DEV_SET : HELD_OUT;
const threshold = Number(option('threshold') ?? process.env['ANSWER_CONFIDENCE_THRESHOLD'] ?? 0.475);
const margin = Number(option('margin') ?? process.env['ANSWER_MARGIN'] ?? 0.02);

const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)} %`);

async function main(): Promise<void> {
  const embedder = args.includes('--words-only') ? undefined : await SentenceEmbedder.load(modelFiles());
  const build = async () => ({
    shoes: await KnowledgeIndex.build(SHOP_KNOWLEDGE, embedder),
    perfume: await KnowledgeIndex.build(PERFUME_KNOWLEDGE, embedder),
  });
  let indexes: Record<Shop, KnowledgeIndex> = await build();
  const run = (t: number, m: number): Promise<EvaluationReport> =>
    evaluate(set, (message) => decide({ kind: 'text', text: message.text }, indexes[message.shop], { threshold: t, margin: m }));

  if (args.includes('--sweep')) {
    // Calibration: every weight, threshold and margin; the row to keep has the most right answers
    // with at most 1 % answered wrongly and 95 % of the unanswerable handed off.
    console.log('weight  threshold  margin  answerable right  answered wrongly  unanswerable handed off');
    for (const weight of embedder ? [0.4, 0.5, 0.6, 0.7, 0.8] : [0]) {
      RETRIEVAL_TUNING.semanticWeight = weight;
      indexes = await build();
      for (let t = 0.3; t <= 0.8001; t += 0.025) {
        for (const m of [0, 0.02, 0.05, 0.08]) {
          const r = await run(t, m);
          const ok = r.answeredWrongly <= 0.01 * r.total && r.unanswerable.handedOff >= 0.95 * r.unanswerable.total;
          console.log(
            `${weight.toFixed(2).padStart(6)}  ${t.toFixed(3).padStart(9)}  ${m.toFixed(2).padStart(6)}  ${pct(r.answerable.right, r.answerable.total).padStart(16)}  ${pct(
              r.answeredWrongly,
              r.total,
            ).padStart(16)}  ${pct(r.unanswerable.handedOff, r.unanswerable.total).padStart(23)}${ok ? '  ok' : ''}`,
          );
        }
      }
    }
    return;
  }
  const report = await run(threshold, margin);
  console.log(
    `\n${setName} set: ${report.total} messages; threshold ${threshold}, margin ${margin}; ${
      embedder ? `by words and meaning (semantic weight ${RETRIEVAL_TUNING.semanticWeight})` : 'by words only'
    }\n`,
  );
  console.log('category         right/total   share    wrong answer  needless handoff  missed handoff  missed cmd  wrong cmd');
  for (const c of report.categories) {
    const v = c.verdicts;
    console.log(
      `${c.category.padEnd(16)} ${`${c.right}/${c.total}`.padStart(11)}  ${pct(c.right, c.total)}  ${String(v.wrong_answer).padStart(12)}  ${String(
        v.needless_handoff,
      ).padStart(
        16,
      )}  ${String(v.missed_handoff).padStart(14)}  ${String(v.missed_command).padStart(10)}  ${String(v.wrong_command).padStart(9)}`,
    );
  }
  console.log('');
  for (const goal of goals(report)) {
    const value = goal.name === 'commands acted on wrongly' ? String(goal.value) : `${(100 * goal.value).toFixed(1)} %`;
    console.log(`${goal.met ? 'met   ' : 'MISSED'} ${goal.name.padEnd(32)} ${value.padStart(8)}   goal ${goal.goal}`);
  }
  if (args.includes('--failures')) {
    console.log('\nfailures:');
    for (const f of report.failures)
      console.log(`  ${f.verdict.padEnd(17)} ${f.did.padEnd(52)} expected ${f.message.expect.padEnd(12)} ${f.message.text}`);
  }
  await embedder?.close();
  if (goals(report).some((goal) => !goal.met)) process.exitCode = 1;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
