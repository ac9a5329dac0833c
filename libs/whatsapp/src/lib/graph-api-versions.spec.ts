import { DEFAULT_GRAPH_API_VERSION, GRAPH_API_VERSIONS, graphApiVersionState, oldestAvailableGraphApiVersion } from './graph-api-versions';

describe('Graph API versions', () => {
  it("the default version is still served today (this test fails on the day it is past Meta's end of support)", () => {
    // Deliberately the real date: the point is to fail in CI once the default version is retired.
    const state = graphApiVersionState(DEFAULT_GRAPH_API_VERSION, new Date());
    expect(state.kind).toBe('available');
  });

  it('the default is v25.0 or later', () => {
    expect(Number(/^v(\d+)\./.exec(DEFAULT_GRAPH_API_VERSION)?.[1])).toBeGreaterThanOrEqual(25);
  });

  it('a retired version is served as the oldest one still available', () => {
    const at = new Date('2027-02-01T00:00:00Z');
    expect(graphApiVersionState('v21.0', at)).toEqual({ kind: 'retired', servedAs: 'v22.0' });
    expect(graphApiVersionState('v12.0', at)).toEqual({ kind: 'retired', servedAs: 'v22.0' });
    expect(oldestAvailableGraphApiVersion(at)).toBe('v22.0');
  });

  it('v21.0 is still served the day before its end of support, not on it', () => {
    expect(graphApiVersionState('v21.0', new Date('2027-01-20T23:59:59Z')).kind).toBe('available');
    expect(graphApiVersionState('v21.0', new Date('2027-01-21T00:00:00Z')).kind).toBe('retired');
  });

  it('a version Meta has not released is unknown', () => {
    expect(graphApiVersionState('v99.0', new Date('2026-12-07T00:00:00Z')).kind).toBe('unknown');
    expect(graphApiVersionState('v26.0', new Date('2026-07-01T00:00:00Z')).kind).toBe('unknown');
  });

  it('the table is newest first, each version ending after the one before it', () => {
    for (let i = 1; i < GRAPH_API_VERSIONS.length; i++) {
      const newer = GRAPH_API_VERSIONS[i - 1];
      const older = GRAPH_API_VERSIONS[i];
      expect(newer && older && newer.released > older.released).toBe(true);
    }
  });
});
