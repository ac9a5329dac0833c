import { type RetentionRule } from '@wt/database';

/**
 * The decisions' retention: the decisions of a campaign that ended `days` ago or more (status
 * `ended` since then, or past its `ends_at`). A running campaign's decisions are kept whatever
 * their age: the (campaign, person) key is what keeps a person from being decided twice for it.
 */
export function decisionRetentionRules(days: number): RetentionRule[] {
  return [
    {
      name: 'decision',
      table: 'decision',
      where: `campaign_id IN (
        SELECT campaign_id FROM campaign
         WHERE (status = 'ended' AND updated_at < now() - make_interval(days => $2::int))
            OR ends_at < now() - make_interval(days => $2::int))`,
      params: () => [days],
    },
  ];
}
