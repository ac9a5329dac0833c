import { isRead, planStatuses, type StatusPlanInput } from './status-plan';

const base: StatusPlanInput = {
  wamid: 'wamid.one',
  waId: '4915112345678',
  type: 'template',
  serviceWindowOpen: false,
  readRate: 1,
};

const statuses = (input: Partial<StatusPlanInput>) => planStatuses({ ...base, ...input }).map((planned) => planned.status);
const codes = (input: Partial<StatusPlanInput>) => planStatuses({ ...base, ...input }).map((planned) => planned.error?.code);

describe('planStatuses', () => {
  it('reports sent, delivered, then read for a template', () => {
    expect(statuses({})).toEqual(['sent', 'delivered', 'read']);
    expect(statuses({ readRate: 0 })).toEqual(['sent', 'delivered']);
  });

  it('fails free-form text outside the 24 h window with 131047, and delivers it inside', () => {
    expect(codes({ type: 'text' })).toEqual([131047]);
    expect(statuses({ type: 'text', serviceWindowOpen: true })).toEqual(['sent', 'delivered', 'read']);
  });

  it('fails recipients ending in the unreachable suffix with 131026', () => {
    expect(codes({ unreachableSuffix: '678' })).toEqual([131026]);
    expect(statuses({ unreachableSuffix: '999' })).toEqual(['sent', 'delivered', 'read']);
  });

  it('fails with an injected code first', () => {
    expect(planStatuses({ ...base, failWithCode: 131050 })).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.objectContaining({
          code: 131050,
          title: 'User has stopped marketing messages',
        }),
      }),
    ]);
  });
});

describe('isRead', () => {
  it('is deterministic and close to the rate over many messages', () => {
    const wamids = Array.from({ length: 10_000 }, (_, i) => `wamid.${i}`);
    const read = wamids.filter((wamid) => isRead(wamid, 0.6)).length;
    expect(read / wamids.length).toBeGreaterThan(0.57);
    expect(read / wamids.length).toBeLessThan(0.63);
    expect(wamids.map((wamid) => isRead(wamid, 0.6))).toEqual(wamids.map((wamid) => isRead(wamid, 0.6)));
  });
});
