import { createHash } from 'node:crypto';
import {
  type CampaignV1,
  type DecisionReason,
  type ProfileSnapshotV1,
  type TargetingDecisionV1,
} from '@wt/contracts';
import { interestOverlap, RULE_MODEL_VERSION } from './relevance-rule';

/** One id per (campaign, person): the dispatcher's ledger makes a second send impossible. */
export function decisionIdFor(campaignId: string, personId: string): string {
  return `dec_${createHash('sha256').update(`${campaignId}:${personId}`).digest('hex').slice(0, 32)}`;
}

export function isRunning(campaign: CampaignV1, now: Date): boolean {
  const t = now.getTime();
  return (
    campaign.status === 'active' &&
    Date.parse(campaign.startsAt) <= t &&
    (campaign.endsAt === undefined || t < Date.parse(campaign.endsAt))
  );
}

/** Whether a person is worth evaluating for a campaign at all: opted in, or interested. */
export function concerns(snapshot: ProfileSnapshotV1, campaign: CampaignV1): boolean {
  return (
    snapshot.consents.whatsappMarketing.includes(campaign.businessId) ||
    campaign.targetCategories.some((category) => (snapshot.interests[category] ?? 0) > 0)
  );
}

function renderParameters(campaign: CampaignV1, topInterest: string | undefined): string[] {
  return campaign.template.bodyParameters.map((parameter) => {
    switch (parameter.from) {
      case 'literal':
        return parameter.value;
      case 'campaign':
        return parameter.value === 'name' ? campaign.name : campaign.businessId;
      case 'profile':
        return parameter.value === 'topInterest' ? (topInterest ?? campaign.targetCategories[0]).replace(/[-_.]/g, ' ') : '';
    }
  });
}

/**
 * Decides one (person, campaign) pair before budget: eligibility first (consent, contact), then
 * relevance against the campaign's threshold. Budget is applied afterwards, across the batch.
 */
export function decide(snapshot: ProfileSnapshotV1, campaign: CampaignV1, now: Date, triggeredByEventAt?: string): TargetingDecisionV1 {
  const relevance = interestOverlap(snapshot, campaign, now);
  let reason: DecisionReason = 'relevant';
  if (!snapshot.consents.whatsappMarketing.includes(campaign.businessId)) reason = 'no_marketing_consent';
  else if (!snapshot.contact) reason = 'no_contact';
  else if (relevance.score < campaign.minRelevance) reason = 'not_relevant';

  const decision: TargetingDecisionV1 = {
    decisionId: decisionIdFor(campaign.campaignId, snapshot.personId),
    campaignId: campaign.campaignId,
    businessId: campaign.businessId,
    personId: snapshot.personId,
    outcome: reason === 'relevant' ? 'send' : 'suppress',
    reason,
    score: relevance.score,
    modelVersion: RULE_MODEL_VERSION,
    explanation: {
      ...relevance.explanation,
      summary: reason === 'no_marketing_consent' ? `No WhatsApp marketing consent for ${campaign.businessId}. ${relevance.explanation.summary}` : relevance.explanation.summary,
    },
    decidedAt: now.toISOString(),
    triggeredByEventAt,
  };
  if (decision.outcome === 'send' && snapshot.contact) {
    decision.send = {
      phoneNumberId: campaign.phoneNumberId,
      contact: snapshot.contact,
      templateName: campaign.template.name,
      language: campaign.template.language,
      bodyParameters: renderParameters(campaign, relevance.topInterest),
    };
  }
  return decision;
}

/** Turns a send into a suppression because the campaign has no budget left. */
export function overBudget(decision: TargetingDecisionV1): TargetingDecisionV1 {
  const { send: _send, ...rest } = decision;
  return {
    ...rest,
    outcome: 'suppress',
    reason: 'budget_exhausted',
    explanation: { ...decision.explanation, summary: `Budget of campaign ${decision.campaignId} is spent. ${decision.explanation.summary}` },
  };
}
