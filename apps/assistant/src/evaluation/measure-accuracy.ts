// How well the assistant understands messages, by category, against the goals of issue 20.
//   npx nx run assistant:accuracy                                   the held-out set v4 (blind: the figures to report)
//   npx nx run assistant:accuracy -- --set v5                       the held-out set v5 (blind, written 2026-12-07 23:05 UTC)
//   npx nx run assistant:accuracy -- --set v6                       the held-out set v6 (blind, written 2026-12-08 by a helper who did not read the code)
//   npx nx run assistant:accuracy -- --set v3                       the held-out set v3 (blind, looked at once: compared only)
//   npx nx run assistant:accuracy -- --set dev                      the development sets (tuned on): dev1 + dev2 + dev3
//   npx nx run assistant:accuracy -- --set dev1 | dev2 | dev3 | dev4  one development set alone (dev2, dev3: former blind sets; dev4: commands)
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
import { DEV_SET_3 } from './dev-questions-3';
import { DEV_SET_4 } from './dev-questions-4';
import { evaluate, type EvaluationMessage, type EvaluationReport, goals, type Shop } from './evaluation-set';
import { HELD_OUT_3 } from './held-out-questions-3';
import { HELD_OUT_4 } from './held-out-questions-4';
import { HELD_OUT_5 } from './held-out-questions-5';
import { HELD_OUT_6 } from './held-out-questions-6';
import { PERFUME_KNOWLEDGE, SHOP_KNOWLEDGE } from './shop-knowledge';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const setName = option('set') ?? 'held-out';
const SETS: Record<string, readonly EvaluationMessage[]> = {
  'held-out': HELD_OUT_4,
  v4: HELD_OUT_4,
  v3: HELD_OUT_3,
  v5: HELD_OUT_5,
  // held-out v6: written blind on 2026-12-08 by a helper who did not read the assistant's code; never tuned on
  v6: HELD_OUT_6,
  dev: [...DEV_SET, ...DEV_SET_2, ...DEV_SET_3],
  dev1: DEV_SET,
  dev2: DEV_SET_2,
  dev3: DEV_SET_3,
  dev4: DEV_SET_4,
};
const set = SETS[setName];
if (!set) throw new Error(`--set ${setName}: unknown (${Object.keys(SETS).join(', ')})`);
const threshold = Number(option('threshold') ?? process.env['ANSWER_CONFIDENCE_THRESHOLD'] ?? ANSWER_CALIBRATION.threshold);
const margin = Number(option('margin') ?? process.env['ANSWER_MARGIN'] ?? ANSWER_CALIBRATION.margin);

const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)} %`);

async function main(): Promise<void> {
  if (set.length === 0) {
    console.log(`\n${setName} set: empty, nothing to measure (the blind set is written apart and replaces its placeholder at merge)`);
    return;
  }
  const embedder = args.includes('--words-only') ? undefined : await SentenceEmbedder.load(modelFiles());
  const indexes: Record<Shop, KnowledgeIndex> = {
    shoes: await KnowledgeIndex.build(SHOP_KNOWLEDGE, embedder),
    perfume: await KnowledgeIndex.build(PERFUME_KNOWLEDGE, embedder),
  };
  const run = (t: number, m: number): Promise<EvaluationReport> =>
    evaluate(set, (message) => decide({ kind: 'text', text: message.text }, indexes[message.shop], { threshold: t, margin: m }));

  if (args.includes('--sweep')) {
    if (!setName.startsWith('dev')) throw new Error('--sweep calibrates on the development sets only: add --set dev (or dev1, dev2)');
    await sweep(embedder);
    await embedder?.close();
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

/** The development sets measured by the sweep one by one (its folds): both for `--set dev`, else the one set. */
const folds: readonly (readonly EvaluationMessage[])[] = setName === 'dev' ? [DEV_SET, DEV_SET_2, DEV_SET_3] : [set];
const maxWrong = Number(option('max-wrong') ?? 0.005);

interface SweepRow {
  readonly weights: string;
  /** Threshold and margin in hundredths (the neighbourhood is found on them). */
  readonly t: number;
  readonly m: number;
  /** Per fold, then all folds together: answerable right, answered wrongly (of all), unanswerable handed off. */
  readonly figures: readonly { right: number; wrong: number; handedOff: number; wrongCount: number }[];
}

/**
 * Calibration on the development sets: every weight, closeness range, threshold and margin. A row is
 * acceptable when, on both sets together, at most `--max-wrong` (0.5 %) of all messages are answered
 * wrongly and 95 % of the unanswerable are handed off, and each set alone has at most 1 % answered
 * wrongly. The row kept is not the best one but the one whose NEIGHBOURHOOD (threshold ±0.02, margin
 * ±0.02) is acceptable throughout and answers the most right at its worst: the middle of a plateau, not
 * an edge that one message more would tip over. Then, to show how much one set alone would overfit,
 * the best row chosen on each set alone and its figures on the other. Each message is embedded once.
 */
async function sweep(embedder: SentenceEmbedder | undefined): Promise<void> {
  const cache = new Map<string, Float32Array>();
  const cached = embedder && {
    embed: async (texts: readonly string[]) => {
      const missing = texts.filter((text) => !cache.has(text));
      if (missing.length > 0) (await embedder.embed(missing)).forEach((vector, i) => cache.set(missing[i]!, vector));
      return texts.map((text) => cache.get(text)!);
    },
  };
  const thresholds = Array.from({ length: 41 }, (_, i) => 40 + i);
  const margins = Array.from({ length: 16 }, (_, i) => 2 * i);
  const rows = new Map<string, SweepRow>();
  const key = (weights: string, t: number, m: number) => `${weights} ${t} ${m}`;
  for (const semanticWeight of embedder ? [0.3, 0.4, 0.5, 0.6, 0.7] : [0]) {
    for (const [closeLow, closeHigh] of [
      [0.4, 0.7],
      [0.45, 0.75],
      [0.5, 0.8],
      [0.55, 0.8],
      [0.5, 0.7],
      [0.4, 0.9],
    ] as const) {
      Object.assign(RETRIEVAL_TUNING, { semanticWeight, closeLow, closeHigh });
      const indexes: Record<Shop, KnowledgeIndex> = {
        shoes: await KnowledgeIndex.build(SHOP_KNOWLEDGE, cached),
        perfume: await KnowledgeIndex.build(PERFUME_KNOWLEDGE, cached),
      };
      // Every message decided once with no threshold; each threshold and margin then hands over what falls short.
      const decided = new Map<EvaluationMessage, AssistantAction>();
      for (const message of set)
        decided.set(message, await decide({ kind: 'text', text: message.text }, indexes[message.shop], { threshold: 0, margin: 0 }));
      const weights = `semanticWeight ${semanticWeight.toFixed(2)} closeLow ${closeLow.toFixed(2)} closeHigh ${closeHigh.toFixed(2)}`;
      for (const t of thresholds) {
        for (const m of margins) {
          const act = async (message: EvaluationMessage): Promise<AssistantAction> => {
            const action = decided.get(message)!;
            if (action.kind !== 'answer' || (action.match.confidence >= t / 100 && action.match.margin >= m / 100)) return action;
            return { kind: 'handoff', language: action.language, reason: 'low_confidence', best: action.match };
          };
          const figures = [];
          for (const fold of [...(folds.length > 1 ? folds : []), set]) {
            const r = await evaluate(fold, act);
            figures.push({
              right: r.answerable.right / r.answerable.total,
              wrong: r.answeredWrongly / r.total,
              handedOff: r.unanswerable.handedOff / r.unanswerable.total,
              wrongCount: r.answeredWrongly,
            });
          }
          rows.set(key(weights, t, m), { weights, t, m, figures });
        }
      }
    }
  }
  const all = (row: SweepRow) => row.figures[row.figures.length - 1]!;
  const acceptable = (row: SweepRow) =>
    all(row).wrong <= maxWrong + 1e-9 && all(row).handedOff >= 0.95 && row.figures.every((f) => f.wrong <= 0.01 + 1e-9);
  const neighbours = (row: SweepRow) =>
    [-2, -1, 0, 1, 2].flatMap((dt) => [-2, 0, 2].flatMap((dm) => rows.get(key(row.weights, row.t + dt, row.m + dm)) ?? []));
  const ranked = [...rows.values()]
    .map((row) => {
      const around = neighbours(row);
      return { row, steady: around.every(acceptable), worst: Math.min(...around.map((r) => all(r).right)) };
    })
    .filter((r) => r.steady)
    .sort((a, b) => b.worst - a.worst || all(b.row).right - all(a.row).right || all(a.row).wrong - all(b.row).wrong);
  const describe = (f: SweepRow['figures'][number]) =>
    `${pct(f.right, 1)} right ${pct(f.wrong, 1)} wrong (${f.wrongCount}) ${pct(f.handedOff, 1)} handed off`;
  const label = (row: SweepRow) => `${row.weights} threshold ${(row.t / 100).toFixed(2)} margin ${(row.m / 100).toFixed(2)}`;
  console.log(
    `\nrows whose neighbourhood (threshold ±0.02, margin ±0.02) keeps answered wrongly <= ${(100 * maxWrong).toFixed(1)} % of all, <= 1 % of each set, handoffs >= 95 %:`,
  );
  console.log('worst right  ' + (folds.length > 1 ? 'dev1 | dev2 | dev3 | ' : '') + 'all | setting');
  for (const { row, worst } of ranked.slice(0, 15))
    console.log(`${pct(worst, 1)}  ${row.figures.map(describe).join(' | ')} | ${label(row)}`);
  if (folds.length > 1) {
    console.log(
      '\ncross-check: the best row chosen on one set alone (most right, answered wrongly <= max, handoffs >= 95 %), measured on the other:',
    );
    folds.forEach((_, i) => {
      const best = [...rows.values()]
        .filter((row) => row.figures[i]!.wrong <= maxWrong + 1e-9 && row.figures[i]!.handedOff >= 0.95)
        .sort((a, b) => b.figures[i]!.right - a.figures[i]!.right || a.figures[i]!.wrong - b.figures[i]!.wrong)[0];
      if (best) console.log(`chosen on dev${i + 1}: ${best.figures.map(describe).join(' | ')} | ${label(best)}`);
    });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
