import { Module } from '@nestjs/common';
import { EligibilityStore } from './eligibility.store';

/** Who cannot be sent to now: unreachable numbers (131026), paused businesses (131048). */
@Module({ providers: [EligibilityStore], exports: [EligibilityStore] })
export class EligibilityModule {}
