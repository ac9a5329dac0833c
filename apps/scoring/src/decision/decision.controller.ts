import { Controller, Get, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { type TargetingDecisionV1 } from '@wt/contracts';
import { BusinessAuthGuard, BusinessId } from '@wt/business-auth';
import { DecisionStore } from './decision.store';

/** `GET /v1/decisions/{id}`: a decision of the calling business, as it was made (for audits). */
@Controller('v1/decisions')
@UseGuards(BusinessAuthGuard)
export class DecisionController {
  constructor(private readonly decisions: DecisionStore) {}

  @Get(':decisionId')
  async get(@BusinessId() businessId: string, @Param('decisionId') decisionId: string): Promise<TargetingDecisionV1> {
    const decision = await this.decisions.findOwn(businessId, decisionId);
    if (!decision) throw new NotFoundException(`decision ${decisionId} not found`);
    return decision;
  }
}
