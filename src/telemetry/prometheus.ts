import type * as PromClient from 'prom-client'
// @ts-expect-error prom-client types only its package entry; these are the same classes.
import RegistryClass from 'prom-client/lib/registry'
// @ts-expect-error as above
import CounterClass from 'prom-client/lib/counter'
// @ts-expect-error as above
import GaugeClass from 'prom-client/lib/gauge'

/**
 * The parts of prom-client the gateway uses, imported from their own files. The package's
 * entry also loads its Pushgateway (and with it `node:http`), cluster aggregation and default
 * metrics: 1.7 MB of heap and 16 MB of RSS in a fresh process, against 0.3 MB and 6 MB for
 * these three (`bun scripts/bench/module-weight.ts`). The version is pinned in package.json;
 * test/telemetry/metrics.test.ts scrapes what these classes write.
 */
export const Registry: typeof PromClient.Registry = RegistryClass
export const Counter: typeof PromClient.Counter = CounterClass
export const Gauge: typeof PromClient.Gauge = GaugeClass
export type Registry = PromClient.Registry
