import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** An erasure request asked in a conversation, held until its confirmation left (the contact sealed). */
export interface PendingErasure {
  requestId: string;
  businessId: string;
  personId: string;
  contact: string;
  replyId: string;
}

export interface HeldErasure {
  request_id: string;
  person_id: string;
  contact: string;
  requested_at: Date;
}

/** `pending_erasure`, always in the caller's transaction (ErasureRelease's, or the conversation's that holds one). */
@Injectable()
export class PendingErasureStore {
  async insert(manager: EntityManager, request: PendingErasure, requestedAt: Date, dueAt: Date): Promise<void> {
    await manager.query(
      `INSERT INTO pending_erasure (request_id, business_id, person_id, contact, reply_id, requested_at, due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (request_id) DO NOTHING`,
      [
        request.requestId,
        request.businessId,
        request.personId,
        request.contact,
        request.replyId,
        requestedAt.toISOString(),
        dueAt.toISOString(),
      ],
    );
  }

  /** Locks up to 500 of the requests whose confirmation `replyIds` left, skipping those another replica holds. */
  confirmed(manager: EntityManager, replyIds: readonly string[]): Promise<HeldErasure[]> {
    return this.lock(manager, `reply_id = ANY($1::text[])`, [[...new Set(replyIds)]]);
  }

  /** Locks up to 500 of the requests whose wait is over by `now`, skipping those another replica holds. */
  due(manager: EntityManager, now: Date): Promise<HeldErasure[]> {
    return this.lock(manager, `due_at <= $1`, [now.toISOString()]);
  }

  async delete(manager: EntityManager, requestIds: readonly string[]): Promise<void> {
    await manager.query(`DELETE FROM pending_erasure WHERE request_id = ANY($1::text[])`, [requestIds]);
  }

  private lock(manager: EntityManager, where: string, parameters: unknown[]): Promise<HeldErasure[]> {
    return manager.query(
      `SELECT request_id, person_id, contact, requested_at FROM pending_erasure WHERE ${where}
       ORDER BY due_at LIMIT 500 FOR UPDATE SKIP LOCKED`,
      parameters,
    );
  }
}
