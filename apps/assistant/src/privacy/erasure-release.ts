import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type PrivacyRequestV1, Topic } from '@wt/contracts';
import { addressOf, ContactSealer } from '@wt/identity';
import { KafkaPublisher } from '@wt/kafka';
import { counter } from '@wt/observability';
import { DataSource, type EntityManager } from 'typeorm';
import { AssistantConfig } from '../assistant.config';
import { type HeldErasure, type PendingErasure, PendingErasureStore } from './pending-erasure.store';

const released = counter({
  name: 'wt_assistant_erasures_released_total',
  help: 'Erasure requests the assistant held until its confirmation left, by why they went: confirmed (a status came back), due (waited long enough), erased (nothing left to erase), unreadable (the contact no longer opens)',
  labelNames: ['why'],
});

/**
 * Erasure asked in a conversation ("delete my data"): the confirmation must reach the person, and
 * it can only be sent while their key exists (the dispatcher opens the sealed contact at send
 * time; erasure shreds the key). So the request is held in `pending_erasure` and published on
 * privacy.requests.v1 once the dispatcher reports the confirmation's first status (accepted by
 * Meta, or refused: either way the number was used for the last time), or when
 * ERASURE_CONFIRMATION_WAIT_MS is over, whichever comes first: erasure is never held back longer.
 */
@Injectable()
export class ErasureRelease implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ErasureRelease.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly pending: PendingErasureStore,
    private readonly publisher: KafkaPublisher,
    private readonly sealer: ContactSealer,
    private readonly config: AssistantConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running = this.releaseDue(new Date()).catch((error: unknown) => {
        // Rolled back: the requests stay pending and the next round tries again.
        this.logger.error(`releasing due erasure requests: ${error instanceof Error ? error.message : String(error)}`);
      });
    }, this.config.ERASURE_RELEASE_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Holds an erasure request until the confirmation `replyId` leaves (or the wait is over), in the caller's transaction. */
  async hold(manager: EntityManager, request: PendingErasure, now: Date): Promise<void> {
    await this.pending.insert(manager, request, now, new Date(now.getTime() + this.config.ERASURE_CONFIRMATION_WAIT_MS));
  }

  /** The confirmations `replyIds` left (a status came back for each): their erasure requests go now. */
  async confirmed(replyIds: readonly string[]): Promise<number> {
    if (replyIds.length === 0) return 0;
    return this.release((manager) => this.pending.confirmed(manager, replyIds), 'confirmed');
  }

  /** Every request whose wait is over by `now`. */
  async releaseDue(now: Date): Promise<number> {
    return this.release((manager) => this.pending.due(manager, now), 'due');
  }

  /**
   * Publishes the chosen requests and deletes them, in one transaction (rows locked, skipped by
   * another replica doing the same): a failure rolls back and they are tried again.
   */
  private async release(chosen: (manager: EntityManager) => Promise<HeldErasure[]>, why: 'confirmed' | 'due'): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await chosen(manager);
      if (rows.length === 0) return 0;
      const opened = await this.sealer.openAll(
        rows.map((row) => row.contact),
        { fresh: true },
      );
      const requests: { key: string; value: PrivacyRequestV1 }[] = [];
      rows.forEach((row, i) => {
        const contact = opened[i];
        if (contact?.ok) {
          requests.push({
            key: row.request_id,
            value: {
              requestId: row.request_id,
              ...personOf(contact.e164, row.person_id),
              type: 'erasure',
              requestedAt: row.requested_at.toISOString(),
            },
          });
        } else if (contact?.reason === 'erased') {
          released.inc({ why: 'erased' }); // erased meanwhile (another request): nothing left to erase
        } else {
          // It opened when the request was held: a key rotated away since. Nothing can be sent; say so loudly.
          this.logger.error(`erasure request ${row.request_id}: the contact no longer opens; dropped, erase by hand`);
          released.inc({ why: 'unreadable' });
        }
      });
      await this.pending.delete(
        manager,
        rows.map((row) => row.request_id),
      );
      if (requests.length > 0) await this.publisher.publish(Topic.PrivacyRequestsV1, requests);
      released.inc({ why }, requests.length);
      return requests.length;
    });
  }
}

/**
 * How a privacy request names the person: by number; or, for a WhatsApp user who shares none (the
 * contact opened to a business-scoped user id), by personId (contract 1.2).
 */
export function personOf(opened: string, personId: string): { phone: string } | { personId: string } {
  return addressOf(opened)?.kind === 'bsuid' ? { personId } : { phone: opened };
}
