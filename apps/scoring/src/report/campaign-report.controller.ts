import { Controller, Get, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BusinessAuthGuard, BusinessId } from '@wt/business-auth';
import { ApiAnswer, ApiErrors } from '@wt/runtime';
import { type CampaignReport } from './campaign-report';
import { CampaignReportStore } from './campaign-report.store';

const count = { type: 'integer', minimum: 0 } as const;

/** `GET /v1/campaigns/{id}/report`: what a campaign of the calling business did. */
@Controller('v1/campaigns')
@UseGuards(BusinessAuthGuard)
@ApiTags('campaigns')
@ApiBearerAuth()
export class CampaignReportController {
  constructor(private readonly reports: CampaignReportStore) {}

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
