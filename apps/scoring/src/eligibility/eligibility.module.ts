import { Module } from '@nestjs/common';
import { EligibilityService } from './eligibility.service';

/** Who cannot be sent to now: unreachable numbers (131026), paused businesses (131048). */
@Module({ providers: [EligibilityService], exports: [EligibilityService] })
export class EligibilityModule {}
