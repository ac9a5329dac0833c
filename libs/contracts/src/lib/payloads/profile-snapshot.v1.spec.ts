import { isServiceWindowOpen, SERVICE_WINDOW_MS } from './profile-snapshot.v1';

describe('isServiceWindowOpen', () => {
  const last = Date.parse('2026-11-28T10:00:00Z');

  it('is open for 24 hours after the last message and closed from then on', () => {
    expect(SERVICE_WINDOW_MS).toBe(24 * 3_600_000);
    expect(isServiceWindowOpen(last, last)).toBe(true);
    expect(isServiceWindowOpen(last, Date.parse('2026-11-29T09:59:59.999Z'))).toBe(true);
    expect(isServiceWindowOpen(last, Date.parse('2026-11-29T10:00:00Z'))).toBe(false);
  });
});
