import { type RetentionRule } from '@wt/database';

/** Campaigns that ended `$2` days ago or more (status `ended` since then, or past their `ends_at`). */
const ENDED_CAMPAIGNS = `SELECT campaign_id FROM campaign
         WHERE (status = 'ended' AND updated_at < now() - make_interval(days => $2::int))
            OR ends_at < now() - make_interval(days => $2::int)`;

/**
 * The decisions' retention: the decisions of a campaign that ended `days` ago or more (status
 * `ended` since then, or past its `ends_at`). A running campaign's decisions are kept whatever
 * their age: the (campaign, person) key is what keeps a person from being decided twice for it.
 * What Meta billed for their messages (`billed_message`, keyed by decision) goes first, with them.
 */
export function decisionRetentionRules(days: number): RetentionRule[] {
  return [
    {
      name: 'billed_message',
      table: 'billed_message',
      where: `decision_id IN (SELECT decision_id FROM decision WHERE campaign_id IN (${ENDED_CAMPAIGNS}))`,
      params: () => [days],
    },
    {
      name: 'decision',
      table: 'decision',
      where: `campaign_id IN (${ENDED_CAMPAIGNS})`,
      params: () => [days],
    },
  ];
}
