// Answer accuracy of the assistant's retrieval on the held-out paraphrases.
//   npx nx run assistant:accuracy   (or: node dist/apps/assistant/src/evaluation/measure-accuracy.js [threshold])
/* eslint-disable no-console */
import { KnowledgeIndex } from '../retrieval/knowledge-index';
import { HELD_OUT } from './held-out-questions';
import { SHOP_KNOWLEDGE } from './shop-knowledge';

const threshold = Number(process.argv[2] ?? process.env['ANSWER_CONFIDENCE_THRESHOLD'] ?? 0.5);
const index = new KnowledgeIndex(SHOP_KNOWLEDGE);

let correct = 0;
let answeredWrong = 0;
let missedHandoff = 0;
let needlessHandoff = 0;
const rows: string[] = [];
for (const { text, expected } of HELD_OUT) {
  const { best } = index.answer(text);
  const answered = best && best.confidence >= threshold ? best.entry.id : null;
  const ok = answered === expected;
  if (ok) correct += 1;
  else if (expected === null) missedHandoff += 1;
  else if (answered === null) needlessHandoff += 1;
  else answeredWrong += 1;
  rows.push(
    `${ok ? 'ok  ' : 'MISS'} ${(best?.confidence ?? 0).toFixed(2)} ${String(answered ?? 'handoff').padEnd(12)} expected ${String(expected ?? 'handoff').padEnd(12)} ${text}`,
  );
}
const known = HELD_OUT.filter((q) => q.expected !== null).length;
const unknown = HELD_OUT.length - known;
console.log(rows.join('\n'));
console.log(`\nthreshold ${threshold}; ${HELD_OUT.length} held-out questions (${known} answerable, ${unknown} never taught)`);
console.log(`accuracy ${(correct / HELD_OUT.length).toFixed(3)} (${correct}/${HELD_OUT.length})`);
console.log(
  `  wrong answer sent: ${answeredWrong}; handed over although answerable: ${needlessHandoff}; answered although never taught: ${missedHandoff}`,
);
