import { settled } from './demo.command';

/** A funnel where 100 events were ingested, 10 sends decided, all accepted and delivered. */
function funnel(overrides: Partial<Parameters<typeof settled>[0]> = {}): Parameters<typeof settled>[0] {
  return {
    ingested: 100,
    sent: 10,
    accepted: 10,
    rejected: {},
    unanswered: 0,
    statuses: { delivered: 10 },
    portfolio: { held: 0 },
    ...overrides,
  };
}

describe('the demo settles', () => {
  it('once every event is ingested and every decided send was accepted and delivered', () => {
    expect(settled(funnel(), 100)).toBe(true);
  });

  it('not while decided sends are still due at the dispatcher, even if every accepted one was delivered (a dispatcher pausing on a busy machine)', () => {
    expect(settled(funnel({ sent: 746, accepted: 77, statuses: { delivered: 77 } }), 100)).toBe(false);
  });

  it('counts refused, held and unanswered sends as ended', () => {
    expect(
      settled(
        funnel({ sent: 10, accepted: 6, rejected: { '131056': 2 }, unanswered: 1, portfolio: { held: 1 }, statuses: { delivered: 6 } }),
        100,
      ),
    ).toBe(true);
  });

  it('not before every event is ingested, nor before the accepted ones are delivered, nor with nothing accepted', () => {
    expect(settled(funnel({ ingested: 99 }), 100)).toBe(false);
    expect(settled(funnel({ statuses: { delivered: 9 } }), 100)).toBe(false);
    expect(settled(funnel({ sent: 0, accepted: 0, statuses: {} }), 100)).toBe(false);
  });
});
