/**
 * What importing a module costs a fresh Bun process: RSS, JS heap and live objects after a full
 * collection, each module in its own process, next to a process that imports nothing.
 *
 *   bun scripts/bench/module-weight.ts [module ...]
 *
 * Default: the gateway's runtime dependencies, the parts of prom-client it imports
 * (src/telemetry/prometheus.ts), and its HTTP surface as every process loads it (app.ts).
 * The Elasticsearch client is imported only when telemetry goes there
 * (src/telemetry/elasticsearch-shipping.ts), the AWS libraries with the first Bedrock request
 * (src/providers/bedrock/index.ts), yaml with the first YAML routing file
 * (src/routing/gateway-config.ts); this shows what each saves. Paths are relative to the
 * repository root.
 */
const DEFAULT_MODULES = [
  '@elastic/elasticsearch',
  '@smithy/signature-v4',
  '@smithy/eventstream-codec',
  'prom-client',
  './src/telemetry/prometheus.ts',
  'elysia',
  'yaml',
  '@sinclair/typebox',
  './src/server/app.ts',
]
const modules = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_MODULES

const probe = (module: string | null) => `
  ${module === null ? '' : `await import(${JSON.stringify(module)})`}
  Bun.gc(true)
  const { heapStats } = await import('bun:jsc')
  const heap = heapStats()
  console.log(JSON.stringify({ rss: process.memoryUsage().rss, heap: heap.heapSize, objects: heap.objectCount }))
`

function measure(module: string | null): { rss: number; heap: number; objects: number } {
  const run = Bun.spawnSync({ cmd: [process.execPath, '-e', probe(module)], cwd: `${import.meta.dir}/../..`, stdout: 'pipe', stderr: 'pipe' })
  if (run.exitCode !== 0) throw new Error(`${module}: ${run.stderr.toString().slice(0, 300)}`)
  return JSON.parse(run.stdout.toString().trim().split('\n').at(-1)!)
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1)
const base = measure(null)
console.log(`Bun ${Bun.version}; nothing imported: RSS ${mb(base.rss)} MB, heap ${mb(base.heap)} MB, ${base.objects} objects`)
console.log('| module | RSS added, MB | heap added, MB | objects added |')
console.log('| --- | ---: | ---: | ---: |')
for (const module of modules) {
  const m = measure(module)
  console.log(`| ${module} | ${mb(m.rss - base.rss)} | ${mb(m.heap - base.heap)} | ${(m.objects - base.objects).toLocaleString('en-US')} |`)
}
