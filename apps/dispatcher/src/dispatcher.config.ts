import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
import { DatabaseEnv, withKeyVault } from '@wt/config';
import { DEFAULT_GRAPH_API_VERSION } from '@wt/whatsapp';

export class DispatcherConfig extends withKeyVault(DatabaseEnv) {
  override PORT: number = 3004;

  /** Graph API base URL: Meta's, or our sandbox (the default, for local runs). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  WHATSAPP_BASE_URL: string = 'http://127.0.0.1:3005';

  /** Graph API version of every call (versions and their end of support: `@wt/whatsapp` graph-api-versions). */
  @Matches(/^v\d+\.\d+$/)
  WHATSAPP_API_VERSION: string = DEFAULT_GRAPH_API_VERSION;

  @IsString()
  @MinLength(16)
  WHATSAPP_ACCESS_TOKEN: string;

  /** Signs webhooks (X-Hub-Signature-256). */
  @IsString()
  @MinLength(16)
  WHATSAPP_APP_SECRET: string;

  /** Echoed by Meta when subscribing the webhook (GET hub.verify_token). */
  @IsString()
  @MinLength(8)
  WHATSAPP_VERIFY_TOKEN: string;

  @IsInt()
  @Min(100)
  @Max(120_000)
  WHATSAPP_TIMEOUT_MS: number = 10_000;

  /** Meta's throughput per business phone number (80 by default; up to 1,000 when Meta raised it). */
  @IsInt()
  @Min(1)
  @Max(1000)
  WHATSAPP_MPS: number = 80;

  /**
   * Throughput of particular numbers, `phone_number_id=mps` separated by commas (e.g. a number Meta
   * upgraded to 1,000). Meta's `phone_number_quality_update` webhook (THROUGHPUT_UPGRADE) overrides it.
   */
  @IsOptional()
  @Matches(/^\d{1,32}=\d{1,4}(,\d{1,32}=\d{1,4})*$/, {
    message: 'WHATSAPP_NUMBER_MPS must be phone_number_id=mps pairs separated by commas',
  })
  WHATSAPP_NUMBER_MPS?: string;

  /**
   * A number answering 131057 (maintenance: Meta changing its throughput takes up to a minute) has
   * its sends held this long by every replica, then one is tried again.
   */
  @IsInt()
  @Min(100)
  @Max(120_000)
  NUMBER_MAINTENANCE_PAUSE_MS: number = 5000;

  /**
   * One replica sends a number's messages at a time (its lease in Postgres, renewed at every claim
   * round): a lease not renewed for this long passes to another replica (after the call timeout and
   * one second more, when its holder did not let it go).
   */
  @IsInt()
  @Min(3000)
  @Max(120_000)
  SEND_LEASE_TTL_MS: number = 5000;

  /**
   * Messaging limit per business portfolio (the platform's business id), `business=limit` pairs
   * separated by commas, limit one of Meta's tiers (250, 2000, 10000, 100000) or `unlimited`; `*`
   * for every business not named. Unset: unlimited. Meta's webhooks (business_capability_update,
   * phone_number_quality_update) override it for the businesses of their account.
   */
  @IsOptional()
  @Matches(/^[^=,\s]+=(\d{1,9}|unlimited)(,[^=,\s]+=(\d{1,9}|unlimited))*$/, {
    message: 'PORTFOLIO_MESSAGING_LIMITS must be business=limit pairs (a number or unlimited) separated by commas',
  })
  PORTFOLIO_MESSAGING_LIMITS?: string;

  /** The messaging limit's rolling window (Meta: 24 h); shorter only for tests. */
  @IsInt()
  @Min(1000)
  PORTFOLIO_WINDOW_MS: number = 86_400_000;

  /**
   * Business numbers whose marketing templates go through Meta's Marketing Messages API for WhatsApp
   * (`POST /{phone-number-id}/marketing_messages`), phone_number_ids separated by commas. Free-form
   * replies always use the Cloud API.
   */
  @IsOptional()
  @Matches(/^\d{1,32}(,\d{1,32})*$/, { message: 'WHATSAPP_MM_API_NUMBERS must be phone_number_ids separated by commas' })
  WHATSAPP_MM_API_NUMBERS?: string;

  /**
   * When the Marketing Messages API cannot take a marketing template yet (131009: the template is not
   * synced with the ad account, up to 10 minutes after its creation): `cloud_api` sends it through the
   * Cloud API at once; `none` tries the Marketing Messages API again after MM_API_RETRY_MS.
   */
  @IsIn(['cloud_api', 'none'])
  MM_API_FALLBACK: 'cloud_api' | 'none' = 'cloud_api';

  @IsInt()
  @Min(1000)
  MM_API_RETRY_MS: number = 600_000;

  /** Messages in flight to the API at once per replica (a send that finds none free waits, first in line, for one). */
  @IsInt()
  @Min(1)
  @Max(1024)
  SEND_CONCURRENCY: number = 64;

  /**
   * Extra milliseconds added to each second of the per-number budget: sends are booked
   * (1000 + margin) / rate ms apart, so the number runs at rate / (1 + margin / 1000) (20: 98 %).
   * Above Meta's standard 80/s the margin shrinks with the interval, to no less than the admission
   * guard's 5 ms (a number upgraded to 1,000/s gets 995/s of slots, see `scheduleMarginMs`).
   * What Meta counts is bounded by the send lease and the admission guard, not by this margin: it
   * only leaves the guard room for the round trip, so that it seldom has to hold a send.
   */
  @IsInt()
  @Min(0)
  @Max(500)
  THROUGHPUT_MARGIN_MS: number = 20;

  /**
   * A send is written within this many ms of being handed to the HTTP client, or not at all (no
   * connection in time: it goes again, first in line), so that it leaves while this replica surely
   * holds the number's lease. A number at Meta's standard 80/s may also run this far behind its
   * schedule (one upgraded above 80/s, 100 ms) and catch up under the admission guard; further
   * behind, its whole schedule moves later, `wt_dispatch_slot_rebooked_total{reason="timer"}`, and
   * no slot is booked again.
   */
  @IsInt()
  @Min(0)
  @Max(500)
  SLOT_TOLERANCE_MS: number = 10;

  /** Minimum gap between two messages to one person from one number (Meta's pair rate, 131056). */
  @IsInt()
  @Min(0)
  PAIR_INTERVAL_MS: number = 6000;

  /** Sends claimed from the ledger at once per replica. */
  @IsInt()
  @Min(1)
  @Max(5000)
  CLAIM_BATCH: number = 200;

  /**
   * How far ahead a replica claims each number's sends (their slots booked). A claimed send is
   * `sending`, so after a crash what was claimed ahead stays in doubt (never resent): at most this
   * long plus a quarter second of the number's rate.
   */
  @IsInt()
  @Min(50)
  @Max(5000)
  CLAIM_AHEAD_MS: number = 200;

  /** Sends accepted by Meta are written to the ledger (and their statuses published) in batches, this often. */
  @IsInt()
  @Min(1)
  @Max(1000)
  LEDGER_FLUSH_MS: number = 25;

  /** Idle wait of the sender between two looks at the ledger. */
  @IsInt()
  @Min(10)
  SENDER_POLL_MS: number = 200;

  /** Transient errors (130429, 131056, 131057, 1, 2, 131016, 5xx, refused connections): attempts in all. */
  @IsInt()
  @Min(1)
  @Max(50)
  MAX_ATTEMPTS: number = 8;

  /** First retry delay; doubled at each attempt, with jitter. */
  @IsInt()
  @Min(1)
  RETRY_BASE_MS: number = 1000;

  @IsInt()
  @Min(1)
  RETRY_MAX_MS: number = 300_000;

  /** 131049 (per-user marketing limit): first retry after this, doubled each time (Meta advises waiting hours to days). */
  @IsInt()
  @Min(1)
  MARKETING_LIMIT_RETRY_MS: number = 6 * 3_600_000;

  @IsInt()
  @Min(0)
  @Max(20)
  MARKETING_LIMIT_MAX_RETRIES: number = 3;

  /** 131026: how long a person counts as unreachable (sends to them are skipped). */
  @IsInt()
  @Min(1)
  UNREACHABLE_FOR_MS: number = 7 * 86_400_000;

  /** 131048: how long a business's campaigns are paused. */
  @IsInt()
  @Min(1)
  CAMPAIGN_PAUSE_MS: number = 3_600_000;

  /**
   * A send without an answer on a connection to Meta (timeout, dropped connection, crash mid-call)
   * stays `unknown` until its status webhook proves Meta took it; after this long without one it is
   * `expired`: reported as failed, never resent (a duplicate is worse than a miss). A send that
   * never had a connection (refused, or timed out while connecting) is retried with backoff.
   */
  @IsInt()
  @Min(1000)
  UNKNOWN_RESOLVE_MS: number = 15 * 60_000;

  /** How long the broker waits for a silent consumer before giving its partitions to another replica. */
  @IsInt()
  @Min(6000)
  KAFKA_SESSION_TIMEOUT_MS: number = 10_000;

  @IsString()
  @MinLength(32)
  PSEUDONYM_SECRET: string;

  /** A JSON file of rate cards replacing the shipped one (see `libs/pricing`); checked at boot. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  RATE_CARD_FILE?: string;

  /** Days before a purchase in which a campaign message sent to the person gets the credit (scoring's window). */
  @IsNumber()
  @Min(0)
  ATTRIBUTION_WINDOW_DAYS: number = 7;

  /**
   * The dataset (Meta's Conversions API) that purchases attributed to click-to-WhatsApp ad
   * conversations are sent to; unset: they are attributed and kept, not sent.
   */
  @IsOptional()
  @Matches(/^\d{1,32}$/)
  CONVERSIONS_DATASET_ID?: string;

  /** Token for the Conversions API; default WHATSAPP_ACCESS_TOKEN. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  CONVERSIONS_ACCESS_TOKEN?: string;

  /** Idle wait of the conversions sender between two looks at its queue (ms). */
  @IsInt()
  @Min(10)
  CONVERSIONS_POLL_MS: number = 500;

  /** Attempts per conversion event on transient refusals (backoff RETRY_BASE_MS doubled, at most RETRY_MAX_MS). */
  @IsInt()
  @Min(1)
  @Max(50)
  CONVERSIONS_MAX_ATTEMPTS: number = 10;

  /**
   * Days a finished dispatch row (accepted, rejected, unknown, expired, skipped) is kept after its
   * last change. At least 31: targeting.decisions.v1 keeps 30 days, and the row is what makes a
   * replayed decision a no-op (its id is the key); Meta's late statuses also need the row.
   */
  @IsInt()
  @Min(31)
  @Max(3650)
  DISPATCH_RETENTION_DAYS: number = 35;

  /**
   * Days a message's cost (estimated and billed) is kept after it was recorded: billing reconciliation
   * against Meta's monthly invoices, a year back from the last one (400 days: 13 months and a margin).
   * At least 62: two invoice cycles.
   */
  @IsInt()
  @Min(62)
  @Max(3650)
  MESSAGE_COST_RETENTION_DAYS: number = 400;

  /**
   * Days a click-to-WhatsApp ad click (its `ctwa_clid` and the person's pseudonym) is kept. At least
   * 14: Meta credits a click with purchases for 7 days and its Conversions API takes events at most
   * 7 days old, so no purchase can use an older click.
   */
  @IsInt()
  @Min(14)
  @Max(3650)
  AD_CLICK_RETENTION_DAYS: number = 15;

  /**
   * Days a finished conversion event (sent, rejected, expired, never to be sent) is kept after its
   * purchase was attributed; pending ones always. At least 8: engagement.normalized.v1 keeps 7 days,
   * and the row is what makes a replayed purchase a no-op (its event id is the key).
   */
  @IsInt()
  @Min(8)
  @Max(3650)
  CONVERSION_RETENTION_DAYS: number = 30;

  /** How often each replica runs the ledger's retention purge (one replica at a time); 0: never. */
  @IsInt()
  @Min(0)
  RETENTION_PURGE_INTERVAL_SECONDS: number = 3_600;

  /** Rows deleted per purge transaction. */
  @IsInt()
  @Min(100)
  @Max(100_000)
  RETENTION_PURGE_BATCH: number = 5_000;
}
