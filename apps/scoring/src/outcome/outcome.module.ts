import { Module } from '@nestjs/common';
import { DecisionModule } from '../decision/decision.module';
import { EligibilityModule } from '../eligibility/eligibility.module';
import { RelevanceModule } from '../relevance/relevance.module';
import { ReportModule } from '../report/report.module';
import { EngagementConsumer, InboundConsumer, MessageStatusConsumer } from './outcome.consumers';
import { OutcomeIntake } from './outcome-intake';
import { OutcomeLearner } from './outcome.learner';

/** Outcomes of our sends: one consumer per input topic, each delegating to OutcomeIntake; OutcomeLearner teaches the model. */
@Module({
  imports: [DecisionModule, EligibilityModule, RelevanceModule, ReportModule],
  controllers: [MessageStatusConsumer, InboundConsumer, EngagementConsumer],
  providers: [OutcomeLearner, OutcomeIntake],
  exports: [OutcomeLearner],
})
export class OutcomeModule {}
