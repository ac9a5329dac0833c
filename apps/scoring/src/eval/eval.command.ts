import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatReport, runTargetingEval } from './targeting-eval';

const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
};

/** `eval-targeting`: prints the comparison table and writes it as JSON (EVAL_OUT, default dist/eval/targeting.json). */
export function evalCommand(): number {
  const report = runTargetingEval(
    {
      people: int('EVAL_PEOPLE', 3000),
      rounds: int('EVAL_ROUNDS', 14),
      budget: int('EVAL_BUDGET', 150),
      engagementsPerRound: int('EVAL_ENGAGEMENTS', 3),
      holdoutShare: Number(process.env['EVAL_HOLDOUT'] ?? 0.1),
      seed: process.env['EVAL_SEED'] ?? 'wt-eval-v1',
      interestDecayPerRound: Number(process.env['EVAL_DECAY'] ?? 1),
      exploration: Number(process.env['EVAL_EXPLORE'] ?? 1),
    },
    (line) => process.stderr.write(`${line}\n`),
  );
  const out = resolve(process.env['EVAL_OUT'] ?? 'dist/eval/targeting.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${formatReport(report)}\nJSON: ${out}\n`);
  return 0;
}
