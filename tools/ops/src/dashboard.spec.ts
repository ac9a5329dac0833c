import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fromRoot } from './lib/workspace';

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

const FUNNEL_METRICS = [
  'wt_records_consumed_total',
  'wt_dead_letters_total',
  'wt_batch_processing_seconds',
  'wt_consumer_lag',
  'wt_profile_events_total',
  'wt_decisions_total',
  'wt_dispatch_total',
  'wt_message_status_total',
];

describe('deploy/grafana/wt-funnel.dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(fromRoot('deploy/grafana/wt-funnel.dashboard.json'), 'utf8')) as { panels: Panel[] };
  const expressions = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('charts every funnel and stage-health metric', () => {
    for (const metric of FUNNEL_METRICS) expect(expressions.some((e) => e.includes(metric))).toBe(true);
  });

  it('queries only metrics a service of this repository registers', () => {
    const used = new Set(expressions.flatMap((e) => e.match(/\bwt_[a-z_]+/g) ?? []).map((m) => m.replace(/_(bucket|sum|count)$/, '')));
    const missing = [...used].filter((metric) => {
      const grep = spawnSync('grep', ['-rlF', `'${metric}'`, 'apps', 'libs', '--include=*.ts'], { cwd: fromRoot(), encoding: 'utf8' });
      return grep.stdout.trim().length === 0;
    });
    expect(missing).toEqual([]);
  });
});
