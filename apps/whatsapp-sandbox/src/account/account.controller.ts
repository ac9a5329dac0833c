import { Body, Get, HttpCode, Post } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiAnswer } from '@wt/runtime';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { AccountState } from './account-state';
import { SandboxController } from '../openapi/sandbox-controller';

export class ThroughputChangeDto {
  @ApiProperty({ example: '1000001' })
  @Matches(/^\d{1,32}$/)
  phoneNumberId!: string;

  @ApiProperty({ description: 'The new throughput (Meta: 80 by default, 1,000 after its automatic upgrade)', example: 1000 })
  @IsInt()
  @Min(1)
  @Max(1000)
  mps!: number;
}

export class MessagingLimitDto {
  @ApiPropertyOptional({ description: "The portfolio's messaging limit; omitted or null: unlimited", enum: [250, 2000, 10_000, 100_000] })
  @IsOptional()
  @IsIn([250, 2000, 10_000, 100_000])
  limit?: number | null;
}

export class MessagingWindowElapseDto {
  @ApiProperty({ description: 'How long passes for the rolling window (ms)', example: 86_400_000 })
  @IsInt()
  @Min(0)
  @Max(7 * 86_400_000)
  ms!: number;
}

/** The portfolio's limit and its unique recipients in the rolling window, as the messaging-limit routes answer. */
const MESSAGING_LIMIT_STATE = {
  type: 'object',
  properties: { limit: { type: 'integer', nullable: true }, uniqueRecipients: { type: 'integer' } },
} as const;

/** Meta's account-level events, triggered by tests (Meta decides them on its own). */
@SandboxController()
export class AccountController {
  constructor(private readonly account: AccountState) {}

  @Post('throughput')
  @HttpCode(202)
  @ApiAnswer(
    202,
    'Started: the number answers 131057 until `usableAt`, then has the new throughput (phone_number_quality_update webhook)',
    {
      type: 'object',
      properties: { usableAt: { type: 'string', format: 'date-time' } },
    },
  )
  changeThroughput(@Body() body: ThroughputChangeDto): { usableAt: string } {
    return this.account.changeThroughput(body.phoneNumberId, body.mps);
  }

  @Post('messaging-limit')
  @HttpCode(200)
  @ApiAnswer(200, "The portfolio's limit now (business_capability_update webhook posted)", MESSAGING_LIMIT_STATE)
  setMessagingLimit(@Body() body: MessagingLimitDto): { limit: number | null; uniqueRecipients: number } {
    this.account.setMessagingLimit(body.limit ?? null);
    return this.account.messagingLimitState();
  }

  @Post('messaging-limit/elapse')
  @HttpCode(200)
  @ApiAnswer(200, "The portfolio's limit and its unique recipients once `ms` passed for its rolling window", MESSAGING_LIMIT_STATE)
  elapseMessagingWindow(@Body() body: MessagingWindowElapseDto): { limit: number | null; uniqueRecipients: number } {
    return this.account.elapseMessagingWindow(body.ms);
  }

  @Get('messaging-limit')
  @ApiAnswer(200, "The portfolio's limit and its unique recipients in the rolling window", MESSAGING_LIMIT_STATE)
  messagingLimit(): { limit: number | null; uniqueRecipients: number } {
    return this.account.messagingLimitState();
  }
}
