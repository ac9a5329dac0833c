// How well the assistant understands messages, by category, against the goals of issue 20.
//   npx nx run assistant:accuracy                                   the held-out set (blind: the figures to report)
//   npx nx run assistant:accuracy -- --set dev                      the development sets (tuned on): dev1 + dev2
//   npx nx run assistant:accuracy -- --set dev1 | dev2              one development set alone (dev2: the former held-out set)
//   npx nx run assistant:accuracy -- --set dev --sweep              calibration, on the development set only
//   npx nx run assistant:accuracy -- --words-only                   without the embedding model (BM25 over glosses)
//   npx nx run assistant:accuracy -- --failures                     also list every message that went wrong
// The model comes from the project's cache (fetched from Maven Central if missing). Exit code 1 when a goal is missed.
/* eslint-disable no-console */
import { type AssistantAction, decide } from '../conversation/assistant-policy';
import { ANSWER_CALIBRATION, KnowledgeIndex, RETRIEVAL_TUNING } from '../retrieval/knowledge-index';
import { modelFiles } from '../retrieval/model-files';
import { SentenceEmbedder } from '../retrieval/sentence-embedder';
import { DEV_SET } from './dev-questions';
import { DEV_SET_2 } from './dev-questions-2';
import { evaluate, type EvaluationMessage, type EvaluationReport, goals, type Shop } from './evaluation-set';
import { HELD_OUT } from './held-out-questions';
import { PERFUME_KNOWLEDGE, SHOP_KNOWLEDGE } from './shop-knowledge';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const setName = option('set') ?? 'held-out';
const SETS: Record<string, readonly EvaluationMessage[]> = {
  'held-out': HELD_OUT,
  dev: [...DEV_SET, ...DEV_SET_2],
  dev1: DEV_SET,
  dev2: DEV_SET_2,
};
const set = SETS[setName];
if (!set) throw new Error(`--set ${setName}: unknown (${Object.keys(SETS).join(', ')})`);
const threshold = Number(option('threshold') ?? process.env['ANSWER_CONFIDENCE_THRESHOLD'] ?? ANSWER_CALIBRATION.threshold);
const margin = Number(option('margin') ?? process.env['ANSWER_MARGIN'] ?? ANSWER_CALIBRATION.margin);

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
    if (setName === 'held-out') throw new Error('--sweep calibrates on the development sets only: add --set dev (or dev1, dev2)');
    // Calibration: every weight, threshold and margin; the row to keep has the most right answers
    // with at most 1 % answered wrongly and 95 % of the unanswerable handed off (then the fewest
    // wrong answers, then the most handoffs). Each message is embedded once for the whole sweep.
    const cache = new Map<string, Float32Array>();
    const cached = embedder && {
      embed: async (texts: readonly string[]) => {
        const missing = texts.filter((text) => !cache.has(text));
        if (missing.length > 0) (await embedder.embed(missing)).forEach((vector, i) => cache.set(missing[i]!, vector));
        return texts.map((text) => cache.get(text)!);
      },
    };
    const rows: { label: string; right: number; wrong: number; handedOff: number; ok: boolean }[] = [];
    for (const semanticWeight of embedder ? [0.3, 0.4, 0.5, 0.6, 0.7] : [0]) {
      for (const [closeLow, closeHigh] of [
        [0.4, 0.7],
        [0.45, 0.75],
        [0.5, 0.8],
        [0.4, 0.9],
      ] as const) {
        Object.assign(RETRIEVAL_TUNING, { semanticWeight, closeLow, closeHigh });
        indexes = {
          shoes: await KnowledgeIndex.build(SHOP_KNOWLEDGE, cached),
          perfume: await KnowledgeIndex.build(PERFUME_KNOWLEDGE, cached),
        };
        // Every message decided once with no threshold; each threshold and margin then hands over what falls short.
        const decided = new Map<EvaluationMessage, AssistantAction>();
        for (const message of set)
          decided.set(message, await decide({ kind: 'text', text: message.text }, indexes[message.shop], { threshold: 0, margin: 0 }));
        for (let t = 0.3; t <= 0.8001; t += 0.01) {
          for (const m of [0, 0.02, 0.04, 0.06, 0.08]) {
            const r = await evaluate(set, async (message) => {
              const action = decided.get(message)!;
              if (action.kind !== 'answer' || (action.match.confidence >= t && action.match.margin >= m)) return action;
              return { kind: 'handoff', language: action.language, reason: 'low_confidence', best: action.match };
            });
            rows.push({
              label: `semanticWeight ${semanticWeight.toFixed(2)} closeLow ${closeLow} closeHigh ${closeHigh} threshold ${t.toFixed(2)} margin ${m.toFixed(2)}`,
              right: r.answerable.right / r.answerable.total,
              wrong: r.answeredWrongly / r.total,
              handedOff: r.unanswerable.handedOff / r.unanswerable.total,
              ok: r.answeredWrongly <= 0.01 * r.total && r.unanswerable.handedOff >= 0.95 * r.unanswerable.total,
            });
          }
        }
      }
    }
    rows.sort((a, b) => Number(b.ok) - Number(a.ok) || b.right - a.right || a.wrong - b.wrong || b.handedOff - a.handedOff);
    console.log('answerable right  answered wrongly  unanswerable handed off  setting');
    for (const row of rows.slice(0, 25))
      console.log(
        `${pct(row.right, 1).padStart(16)}  ${pct(row.wrong, 1).padStart(16)}  ${pct(row.handedOff, 1).padStart(23)}  ${row.label}${row.ok ? '  ok' : ''}`,
      );
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
