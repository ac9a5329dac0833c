import { Controller, Get, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BusinessAuthGuard, BusinessId } from '@wt/business-auth';
import { ApiAnswer, ApiErrors } from '@wt/runtime';
import { type CampaignReport } from './campaign-report';
import { type CampaignEstimate, CampaignEstimator } from './campaign-estimator';
import { CampaignReportStore } from './campaign-report.store';

const count = { type: 'integer', minimum: 0 } as const;

/** `GET /v1/campaigns/{id}/report`: what a campaign of the calling business did. */
@Controller('v1/campaigns')
@UseGuards(BusinessAuthGuard)
@ApiTags('campaigns')
@ApiBearerAuth()
export class CampaignReportController {
  constructor(
    private readonly reports: CampaignReportStore,
    private readonly estimator: CampaignEstimator,
  ) {}

  @Get(':campaignId/estimate')
  @ApiAnswer(
    200,
    'Before a launch: the reachable audience, the expected sends within both budgets and their expected cost at the rate card',
    {
      type: 'object',
      required: ['campaignId', 'reachableAudience', 'relevantAudience', 'expectedSends', 'expectedCost', 'limitedBy'],
      properties: {
        campaignId: { type: 'string' },
        reachableAudience: count,
        relevantAudience: count,
        expectedSends: count,
        expectedCost: {
          type: 'object',
          properties: { amount: { type: 'number' }, currency: { type: 'string' }, rateCardVersion: { type: 'string' } },
        },
        limitedBy: { type: 'string', enum: ['audience', 'message_budget', 'money_budget'] },
      },
    },
  )
  @ApiErrors({ 401: 'No business API key, or not a valid one', 404: 'No such campaign of this business' })
  async estimate(@BusinessId() businessId: string, @Param('campaignId') campaignId: string): Promise<CampaignEstimate> {
    const estimate = await this.estimator.estimate(businessId, campaignId);
    if (!estimate) throw new NotFoundException(`campaign ${campaignId} not found`);
    return estimate;
  }

  @Get(':campaignId/report')
  @ApiAnswer(
    200,
    'Sends and their outcomes, spend of budget, holdout conversions, measured uplift with its 95 % interval, suppressions by reason, and a pause because of its template',
    {
      type: 'object',
      required: [
        'campaignId',
        'sent',
        'delivered',
        'read',
        'clicked',
        'converted',
        'optedOut',
        'budget',
        'spend',
        'holdout',
        'uplift',
        'suppressions',
        'paused',
      ],
      properties: {
        campaignId: { type: 'string' },
        sent: count,
        delivered: count,
        read: count,
        clicked: count,
        converted: count,
        optedOut: count,
        budget: { type: 'object', properties: { messages: count, spent: count, share: { type: 'number' } } },
        spend: {
          type: 'object',
          description: 'Money: estimated at the rate card when sends are granted, billed from the pricing of Meta status webhooks',
          properties: {
            currency: { type: 'string' },
            estimated: { type: 'number' },
            billed: { type: 'number' },
            billedMessages: count,
            budget: { type: 'number', nullable: true },
            share: { type: 'number', nullable: true },
          },
        },
        holdout: { type: 'object', properties: { people: count, conversions: count } },
        uplift: {
          type: 'object',
          nullable: true,
          properties: { value: { type: 'number' }, low: { type: 'number' }, high: { type: 'number' } },
        },
        suppressions: { type: 'object', additionalProperties: count },
        paused: {
          type: 'object',
          nullable: true,
          description: "Set while Meta has paused or disabled the campaign's template: its sends wait until it is approved again",
          properties: {
            reason: { type: 'string' },
            template: { type: 'object', properties: { name: { type: 'string' }, language: { type: 'string' } } },
            since: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  )
  @ApiErrors({ 401: 'No business API key, or not a valid one', 404: 'No such campaign of this business' })
  async report(@BusinessId() businessId: string, @Param('campaignId') campaignId: string): Promise<CampaignReport> {
    const report = await this.reports.reportOf(businessId, campaignId);
    if (!report) throw new NotFoundException(`campaign ${campaignId} not found`);
    return report;
  }
}
