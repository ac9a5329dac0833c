import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_EVAL_OPTIONS, formatReport, type PopulationName, POPULATIONS, runTargetingEval } from './targeting-eval';

const num = (name: string, fallback: number, { positive = true } = {}) => {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) throw new Error(`${name} must be a positive number, got ${raw}`);
  return value;
};

/**
 * `eval-targeting`: prints the comparison for the population EVAL_POPULATION (`simulation`, the
 * default, or `archetypes`) and writes it as JSON (EVAL_OUT, default dist/eval/targeting-<population>.json).
 */
export function evalCommand(): number {
  const population = (process.env['EVAL_POPULATION'] ?? 'simulation') as PopulationName;
  if (!POPULATIONS.includes(population)) throw new Error(`EVAL_POPULATION must be one of ${POPULATIONS.join(', ')}, got ${population}`);
  const d = DEFAULT_EVAL_OPTIONS;
  const report = runTargetingEval(
    {
      population,
      people: num('EVAL_PEOPLE', d.people),
      rounds: num('EVAL_ROUNDS', d.rounds),
      budget: num('EVAL_BUDGET', d.budget),
      engagementsPerRound: num('EVAL_ENGAGEMENTS', d.engagementsPerRound),
      holdoutShare: num('EVAL_HOLDOUT', d.holdoutShare, { positive: false }),
      seed: process.env['EVAL_SEED'] ?? (population === 'simulation' ? 'wt-eval-v1' : 'wt-archetypes-v1'),
      hoursPerRound: num('EVAL_HOURS_PER_ROUND', d.hoursPerRound),
      weeklyCap: num('EVAL_WEEKLY_CAP', d.weeklyCap),
      interestHalfLifeHours: num('EVAL_HALF_LIFE_HOURS', d.interestHalfLifeHours),
      recentHalfLifeHours: num('EVAL_RECENT_HALF_LIFE_HOURS', d.recentHalfLifeHours),
      exploration: num('EVAL_EXPLORE', d.exploration, { positive: false }),
    },
    (line) => process.stderr.write(`${line}\n`),
  );
  const out = resolve(process.env['EVAL_OUT'] ?? `dist/eval/targeting-${population}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${formatReport(report)}\nJSON: ${out}\n`);
  return 0;
}
