import { Module } from '@nestjs/common';
import { DecisionModule } from '../decision/decision.module';
import { EligibilityModule } from '../eligibility/eligibility.module';
import { RelevanceModule } from '../relevance/relevance.module';
import { ReportModule } from '../report/report.module';
import { IdentityMergeConsumer } from './identity-merge.consumer';
import { EngagementConsumer, InboundConsumer, MessageStatusConsumer } from './outcome.consumers';
import { OutcomeIntake } from './outcome-intake';
import { OutcomeLearner } from './outcome.learner';
import { PersonMergeStore } from './person-merge.store';

/**
 * Outcomes of our sends: one consumer per input topic, each delegating to OutcomeIntake; OutcomeLearner
 * teaches the model; identity merges move a merged person's decisions and outcomes (PersonMergeStore).
 */
@Module({
  imports: [DecisionModule, EligibilityModule, RelevanceModule, ReportModule],
  controllers: [MessageStatusConsumer, InboundConsumer, EngagementConsumer, IdentityMergeConsumer],
  providers: [OutcomeLearner, OutcomeIntake, PersonMergeStore],
  exports: [OutcomeLearner],
})
export class OutcomeModule {}
