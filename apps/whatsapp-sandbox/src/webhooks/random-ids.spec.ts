import { newWamid, randomId } from './random-ids';

describe('random ids from a pool', () => {
  it('gives ids of the asked length, never twice, across refills of the pool', () => {
    // 1,000 wamids use 24,000 bytes: the 4 KiB pool is refilled several times.
    const wamids = Array.from({ length: 1000 }, () => newWamid());
    expect(new Set(wamids).size).toBe(1000);
    for (const wamid of wamids) expect(wamid).toMatch(/^wamid\.[A-Za-z0-9_-]{32}$/);
    const hex = Array.from({ length: 300 }, () => randomId(16, 'hex'));
    expect(new Set(hex).size).toBe(300);
    for (const id of hex) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('serves a request larger than the pool', () => {
    expect(randomId(5000, 'hex')).toMatch(/^[0-9a-f]{10000}$/);
  });
});
