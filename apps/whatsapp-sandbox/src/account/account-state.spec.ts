import { SandboxConfig } from '../sandbox.config';
import { type WebhookDeliveryService } from '../webhooks/webhook-delivery.service';
import { AccountState } from './account-state';

const WINDOW_MS = 600_000;

function account(limit: number) {
  const config = Object.assign(new SandboxConfig(), { SANDBOX_MESSAGING_LIMIT: limit, SANDBOX_MESSAGING_LIMIT_WINDOW_MS: WINDOW_MS });
  return new AccountState(config, { schedule: () => undefined } as unknown as WebhookDeliveryService);
}

describe("AccountState: the portfolio's messaging limit", () => {
  it('admits new recipients up to the limit in the rolling window, and frees the places of those the window left', () => {
    const state = account(2);
    state.recordRecipient('a', 0, false);
    state.recordRecipient('b', 1000, false);
    expect(state.admitsRecipient('c', 2000, false)).toBe(false);
    // One already counted is not a new recipient.
    expect(state.admitsRecipient('a', 2000, false)).toBe(true);
    expect(state.admitsRecipient('c', WINDOW_MS + 1, false)).toBe(true);
  });

  it("moves the window as a test's clock says (elapse), the way time would", () => {
    const state = account(2);
    state.recordRecipient('a', 0, false);
    state.recordRecipient('b', 5000, false);
    expect(state.elapseMessagingWindow(WINDOW_MS, 1000)).toEqual({ limit: 2, uniqueRecipients: 1 });
    expect(state.admitsRecipient('c', 1000, false)).toBe(true);
    expect(state.elapseMessagingWindow(5000, 1000)).toEqual({ limit: 2, uniqueRecipients: 0 });
  });
});
