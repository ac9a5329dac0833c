import { createHash } from 'node:crypto';
import type { MessageStatusValue, WebhookError } from '@wt/whatsapp';
import { whatsAppErrorTitle } from '@wt/whatsapp';

/** A status the sandbox will report for an accepted message. */
export interface PlannedStatus {
  status: MessageStatusValue;
  error?: WebhookError;
}

export interface StatusPlanInput {
  wamid: string;
  waId: string;
  type: 'template' | 'text';
  /** Whether the person wrote to this business number within 24 hours. */
  serviceWindowOpen: boolean;
  readRate: number;
  unreachableSuffix?: string;
  /** An injected `status` fault or a simulated recipient: the message fails with this code. */
  failWithCode?: number;
  /** Meta's details of that failure (default: injected by the sandbox). */
  failDetails?: string;
  /** Whether a delivered message gets read, when a simulated recipient decides (default: by readRate). */
  read?: boolean;
}

const ERROR_HREF = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

function failure(code: number, details: string): PlannedStatus {
  const title = whatsAppErrorTitle(code);
  return {
    status: 'failed',
    error: { code, title, message: title, error_data: { details }, href: ERROR_HREF },
  };
}

/**
 * The statuses Meta would report for an accepted message: `sent`, `delivered`, and `read` for a
 * reproducible share of messages; or a single `failed` when it cannot be delivered.
 */
export function planStatuses(input: StatusPlanInput): PlannedStatus[] {
  if (input.failWithCode !== undefined) return [failure(input.failWithCode, input.failDetails ?? 'Injected by the sandbox.')];
  if (input.unreachableSuffix && input.waId.endsWith(input.unreachableSuffix)) {
    return [failure(131026, 'Message Undeliverable.')];
  }
  if (input.type === 'text' && !input.serviceWindowOpen) {
    return [
      failure(131047, 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.'),
    ];
  }
  const statuses: PlannedStatus[] = [{ status: 'sent' }, { status: 'delivered' }];
  if (input.read ?? isRead(input.wamid, input.readRate)) statuses.push({ status: 'read' });
  return statuses;
}

/** Whether a message gets read: a hash of its wamid below the rate, so a run can be reproduced. */
export function isRead(wamid: string, readRate: number): boolean {
  return createHash('sha256').update(wamid).digest().readUInt32BE(0) / 2 ** 32 < readRate;
}
