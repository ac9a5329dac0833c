import { ServiceEnv } from '@wt/config';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

/**
 * Environment of the WhatsApp Cloud API sandbox. The Kafka variables of `ServiceEnv` are ignored:
 * the sandbox speaks HTTP only.
 */
export class SandboxConfig extends ServiceEnv {
  override PORT: number = 3005;

  /** Bearer token the sandbox expects, like a system-user token (a wrong one gets Graph error 190). */
  @IsString()
  @MinLength(16)
  SANDBOX_ACCESS_TOKEN: string;

  /** App secret that signs webhooks (`X-Hub-Signature-256`). */
  @IsString()
  @MinLength(16)
  SANDBOX_APP_SECRET: string;

  /** Where statuses and inbound messages are POSTed, e.g. `http://127.0.0.1:3004/v1/webhooks/whatsapp`. Unset: no webhooks. */
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  SANDBOX_WEBHOOK_URL?: string;

  /** Messages per second per phone_number_id before Graph error 130429 (Meta's default: 80). 0: unlimited. */
  @IsInt()
  @Min(0)
  SANDBOX_THROUGHPUT_MPS: number = 80;

  /** Numbers Meta already upgraded, `phone_number_id=mps` separated by commas (e.g. `1000001=1000`); the others have SANDBOX_THROUGHPUT_MPS. */
  @IsOptional()
  @Matches(/^\d{1,32}=\d{1,4}(,\d{1,32}=\d{1,4})*$/, {
    message: 'SANDBOX_NUMBER_MPS must be phone_number_id=mps pairs separated by commas',
  })
  SANDBOX_NUMBER_MPS?: string;

  /** How long a number is unusable (sends answer 131057) while its throughput changes (`POST /sandbox/throughput`); Meta: up to a minute. */
  @IsInt()
  @Min(0)
  @Max(600_000)
  SANDBOX_THROUGHPUT_CHANGE_MS: number = 60_000;

  /**
   * The business portfolio's messaging limit: unique recipients of template messages outside a
   * customer-service window per rolling window (Meta's tiers 250, 2,000, 10,000, 100,000). 0: unlimited.
   */
  @IsInt()
  @Min(0)
  SANDBOX_MESSAGING_LIMIT: number = 0;

  /** The messaging limit's rolling window (Meta: 24 h); shorter for tests. */
  @IsInt()
  @Min(1000)
  SANDBOX_MESSAGING_LIMIT_WINDOW_MS: number = 86_400_000;

  /** Messages of a template its quality is rated on (template-quality.ts); 0: quality not rated, templates never paused. */
  @IsInt()
  @Min(0)
  @Max(10_000)
  SANDBOX_TEMPLATE_QUALITY_SAMPLE: number = 100;

  /** How long a template is paused the first time its quality falls to RED (Meta: 3 hours; twice that the second time). */
  @IsInt()
  @Min(100)
  SANDBOX_TEMPLATE_PAUSE_MS: number = 3 * 3_600_000;

  /**
   * How long a newly registered marketing template takes to sync with the ad account: until then
   * the Marketing Messages API refuses it with 131009 (Meta: up to 10 minutes). 0: at once.
   */
  @IsInt()
  @Min(0)
  SANDBOX_MM_API_SYNC_MS: number = 600_000;

  /** Minimum gap between two messages to one recipient from one phone_number_id before 131056. 0: no pair limit. */
  @IsInt()
  @Min(0)
  SANDBOX_PAIR_INTERVAL_MS: number = 6000;

  /** Share of delivered messages that get read, decided from a hash of the wamid (reproducible runs). */
  @IsNumber()
  @Min(0)
  @Max(1)
  SANDBOX_READ_RATE: number = 0.6;

  /** Delay before `sent`, then between `sent`, `delivered` and `read`. */
  @IsInt()
  @Min(0)
  SANDBOX_STATUS_DELAY_MS: number = 50;

  /** Recipients whose digits end in this suffix get a `failed` status with 131026 (for demos). */
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'SANDBOX_UNREACHABLE_SUFFIX must be 1 to 15 digits' })
  SANDBOX_UNREACHABLE_SUFFIX?: string;

  /** Attempts per webhook before the sandbox gives up on it (Meta retries for days; a sandbox need not). */
  @IsInt()
  @Min(1)
  @Max(20)
  SANDBOX_WEBHOOK_MAX_ATTEMPTS: number = 5;

  /** First retry delay of a failed webhook; doubles at each attempt. */
  @IsInt()
  @Min(0)
  SANDBOX_WEBHOOK_RETRY_BASE_MS: number = 500;

  /** Timeout of one webhook POST. */
  @IsInt()
  @Min(100)
  SANDBOX_WEBHOOK_TIMEOUT_MS: number = 5000;

  /**
   * 0: one POST per webhook. Above 0: the webhooks due within this many milliseconds go in one
   * POST (their `entry` items side by side, as Meta batches notifications under load); for
   * benchmarks, where one POST per status would make the sandbox, not the sender, the bottleneck.
   */
  @IsInt()
  @Min(0)
  @Max(1000)
  SANDBOX_WEBHOOK_BATCH_MS: number = 0;

  /**
   * Turns on simulated recipients (`@wt/simulation`, the population the targeting evaluation
   * uses, with this seed): template messages then fail, get read, replied to, clicked or opted
   * out of as each person's hidden preferences say. Unset: off (demo and tests stay deterministic).
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  SANDBOX_SIMULATION_SEED?: string;

  /**
   * Which simulated population the recipients are (with `SANDBOX_SIMULATION_SEED`): `simulation`
   * (`SimulatedPopulation`) or `archetypes` (`ArchetypePopulation`: fatigue and bursts of intent,
   * the day set by `PUT /sandbox/simulation`).
   */
  @IsIn(['simulation', 'archetypes'])
  SANDBOX_SIMULATION_POPULATION: 'simulation' | 'archetypes' = 'simulation';

  /** WhatsApp Business Account id reported in webhook entries. */
  @Matches(/^\d{1,32}$/)
  SANDBOX_WABA_ID: string = '100000000000001';
}
