// How well the assistant understands messages, by category, against the goals of issue 20.
//   npx nx run assistant:accuracy                      the held-out set (the figures to report)
//   npx nx run assistant:accuracy -- --set dev         the development set (the one tuned on)
//   npx nx run assistant:accuracy -- --set dev --sweep the threshold calibration, on the development set only
//   npx nx run assistant:accuracy -- --failures        also list every message that went wrong
// Exit code 1 when a goal is missed on the chosen set.
/* eslint-disable no-console */
import { decide } from '../conversation/assistant-policy';
import { KnowledgeIndex } from '../retrieval/knowledge-index';
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
const configured = Number(option('threshold') ?? process.env['ANSWER_CONFIDENCE_THRESHOLD'] ?? 0.5);

const indexes: Record<Shop, KnowledgeIndex> = {
  shoes: new KnowledgeIndex(SHOP_KNOWLEDGE),
  perfume: new KnowledgeIndex(PERFUME_KNOWLEDGE),
};

const run = (threshold: number): EvaluationReport =>
  evaluate(set, (message) => decide({ kind: 'text', text: message.text }, indexes[message.shop], { threshold }));

const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)} %`);

function print(report: EvaluationReport, threshold: number): void {
  console.log(`\n${setName} set: ${report.total} messages, threshold ${threshold}\n`);
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
      console.log(`  ${f.verdict.padEnd(17)} ${f.did.padEnd(44)} expected ${f.message.expect.padEnd(12)} ${f.message.text}`);
  }
}

if (args.includes('--sweep')) {
  // Calibration: the lowest threshold that keeps wrong answers within the goal, the most right answers.
  console.log('threshold  answerable right  answered wrongly  unanswerable handed off');
  for (let t = 0.2; t <= 0.9001; t += 0.025) {
    const r = run(t);
    console.log(
      `${t.toFixed(3).padStart(9)}  ${pct(r.answerable.right, r.answerable.total).padStart(16)}  ${pct(r.answeredWrongly, r.total).padStart(16)}  ${pct(
        r.unanswerable.handedOff,
        r.unanswerable.total,
      ).padStart(23)}`,
    );
  }
} else {
  const report = run(configured);
  print(report, configured);
  if (goals(report).some((goal) => !goal.met)) process.exitCode = 1;
}
