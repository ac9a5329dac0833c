import { register } from 'prom-client';
import { counter, gauge, histogram } from './metrics';

describe('metric helpers', () => {
  afterEach(() => register.clear());

  it('create a metric once and give back the same one to a second declaration (a module loaded twice)', async () => {
    const first = counter({ name: 'wt_test_things_total', help: 'things', labelNames: ['kind'] });
    const second = counter({ name: 'wt_test_things_total', help: 'things', labelNames: ['kind'] });
    expect(second).toBe(first);
    second.inc({ kind: 'a' });
    expect(await register.getSingleMetricAsString('wt_test_things_total')).toContain('wt_test_things_total{kind="a"} 1');
    expect(gauge({ name: 'wt_test_level', help: 'level' })).toBe(gauge({ name: 'wt_test_level', help: 'level' }));
    const h = histogram({ name: 'wt_test_seconds', help: 'time', buckets: [1] });
    expect(histogram({ name: 'wt_test_seconds', help: 'time', buckets: [1] })).toBe(h);
  });

  it('refuse a name already registered as another type of metric', () => {
    counter({ name: 'wt_test_clash', help: 'a counter' });
    expect(() => gauge({ name: 'wt_test_clash', help: 'a gauge' })).toThrow(
      /wt_test_clash is already registered as a Counter, not a Gauge/,
    );
  });
});
