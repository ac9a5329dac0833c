import { Controller, Get, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { type TargetingDecisionV1 } from '@wt/contracts';
import { BusinessAuthGuard, BusinessId } from '@wt/business-auth';
import { DecisionStore } from './decision.store';
import { ApiAnswer, ApiErrors, schemaRef } from '@wt/runtime';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

/** `GET /v1/decisions/{id}`: a decision of the calling business, as it was made (for audits). */
@Controller('v1/decisions')
@UseGuards(BusinessAuthGuard)
@ApiTags('decisions')
@ApiBearerAuth()
export class DecisionController {
  constructor(private readonly decisions: DecisionStore) {}

  @Get(':decisionId')
  @ApiAnswer(200, 'The decision as it was made: outcome, reason, score and explanation', schemaRef('TargetingDecisionV1'))
  @ApiErrors({ 401: 'No business API key, or not a valid one', 404: 'No such decision of this business' })
  async get(@BusinessId() businessId: string, @Param('decisionId') decisionId: string): Promise<TargetingDecisionV1> {
    const decision = await this.decisions.findOwn(businessId, decisionId);
    if (!decision) throw new NotFoundException(`decision ${decisionId} not found`);
    return decision;
  }
}
