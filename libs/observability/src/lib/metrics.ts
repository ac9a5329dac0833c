import {
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  type Metric,
  register,
} from 'prom-client';

/**
 * The metric registered under `config.name` in prom-client's default registry, created on first
 * use. Metrics are module-level constants, and a module may be loaded more than once in a process
 * (tests build several apps; jest re-requires modules), while prom-client refuses a second metric
 * with the same name: so every metric of ours is declared through these. A name already taken by
 * a metric of another type is a programming error and throws.
 */
function registered<M extends Metric>(type: new (config: never) => M, name: string, create: () => M): M {
  const existing = register.getSingleMetric(name);
  if (existing === undefined) return create();
  if (!(existing instanceof type)) {
    throw new Error(`metric ${name} is already registered as a ${existing.constructor.name}, not a ${type.name}`);
  }
  return existing;
}

/** A counter, registered once per process (see `registered`). */
export function counter<L extends string = string>(config: CounterConfiguration<L>): Counter<L> {
  return registered(Counter<L>, config.name, () => new Counter<L>(config));
}

/** A gauge, registered once per process (see `registered`). */
export function gauge<L extends string = string>(config: GaugeConfiguration<L>): Gauge<L> {
  return registered(Gauge<L>, config.name, () => new Gauge<L>(config));
}

/** A histogram, registered once per process (see `registered`). */
export function histogram<L extends string = string>(config: HistogramConfiguration<L>): Histogram<L> {
  return registered(Histogram<L>, config.name, () => new Histogram<L>(config));
}
