/** What a campaign did, for the business that runs it (`GET /v1/campaigns/{id}/report`). */
export interface CampaignReport {
  campaignId: string;
  /** Messages decided `send`, and what became of them (each counted once per message). */
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  converted: number;
  optedOut: number;
  budget: { messages: number; spent: number; share: number };
  /**
   * Money (issue 17): `estimated` is the rate card's price of the sends decided (what the money
   * budget is charged when a send is granted), `billed` what Meta billed for the delivered ones
   * (the `pricing` of their status webhooks, priced at the card): amounts in `currency`.
   * `budget` is the money budget (null: none) and `share` estimated / budget.
   */
  spend: { currency: string; estimated: number; billed: number; billedMessages: number; budget: number | null; share: number | null };
  holdout: { people: number; conversions: number };
  /**
   * Conversion rate of the people sent to minus that of the holdout, with a 95 % confidence
   * interval (normal approximation of the difference of two proportions); null without a holdout.
   */
  uplift: { value: number; low: number; high: number } | null;
  /** Suppressions by reason (`no_marketing_consent`, `budget_exhausted`, `quiet_hours`...). */
  suppressions: Record<string, number>;
  /**
   * Set while the campaign is paused because Meta paused or disabled its template
   * (`message_template_status_update`): its sends wait, and leave once the template is approved again.
   */
  paused: { reason: string; template: { name: string; language: string }; since: string } | null;
}

const Z95 = 1.959964;

/** The difference of two conversion rates and its 95 % interval; null when either group is empty. */
export function upliftOf(
  treated: { n: number; conversions: number },
  holdout: { n: number; conversions: number },
): CampaignReport['uplift'] {
  if (treated.n === 0 || holdout.n === 0) return null;
  const pt = treated.conversions / treated.n;
  const ph = holdout.conversions / holdout.n;
  const se = Math.sqrt((pt * (1 - pt)) / treated.n + (ph * (1 - ph)) / holdout.n);
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return { value: round(pt - ph), low: round(pt - ph - Z95 * se), high: round(pt - ph + Z95 * se) };
}
