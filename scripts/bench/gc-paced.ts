/**
 * Garbage collections under the paced lane's load, per target: how many, and how long each paused
 * the JavaScript thread. The paced lane's p99 time to first byte follows these pauses, so this is
 * the tool for finding out what a change does to them. Each target runs with `BUN_JSC_logGC=1`;
 * a warm-up run of the load is not counted.
 *
 *   bun scripts/bench/gc-paced.ts [--targets gateway,gateway-bin,passthrough,passthrough-tap] [--seconds S] [--connections N]
 *                                 [--entry FILE [--entry-env NAME=VALUE,...]]
 *
 * `--entry FILE` adds the target `entry`: another entry file run like the gateway, e.g. a copy of
 * src/ at an earlier commit, so a change is compared with what it replaces in one run.
 * `--entry-env` sets its environment, e.g. `--entry src/main.ts --entry-env
 * BUN_JSC_concurrentGCPeriodMS=0.5` for one of JavaScriptCore's collector settings.
 * `passthrough-tap` is the passthrough with the upstream body read through a JS reader and handed
 * on through a JS `ReadableStream`, as any gateway that looks at a stream must: it shows what that
 * alone costs. Bun reads a fetch body into JS through a 256 KiB buffer it allocates for the stream
 * (its `autoAllocateChunkSize`); those "oversized" allocations start most collections.
 *
 * TTFB p95 / p98 / p99 show where the pauses enter the distribution: a collection that lands in
 * a stream's start delays its first byte, so with collections at ~4% of stream starts the tail
 * from about p96 up carries one. A 6 s run's p99 rests on ~5 streams and moves by ±0.3 ms between
 * identical runs: compare with `--seconds 10` and targets repeated in turn (`--targets a,b,a,b`).
 *
 * Measured (Bun 1.4.5, 2-core Linux, 6 s, ~500 streams, two runs): passthrough 6-7 collections
 * (pause p50 0.35 ms, 3 ms paused in all); passthrough-tap 32-37 (0.5 ms, 20 ms); the gateway 16
 * (1.3 ms, 22 ms): its larger heap is collected less often, but each pause is longer.
 */
import { mkdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildRequest, STREAM_CHUNKS } from './lanes'
import type { StreamResult } from './load-client'
import { freePort, pinned, start, stopAll, waitUntilListening } from './processes'

const ROOT = join(import.meta.dir, '..', '..')
const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'gateway,passthrough,passthrough-tap' },
    seconds: { type: 'string', default: '6' },
    connections: { type: 'string', default: '32' },
    pace: { type: 'string', default: '20' },
    entry: { type: 'string' },
    'entry-env': { type: 'string' },
  },
})
const seconds = Number(values.seconds)
const connections = Number(values.connections)
const paceMs = Number(values.pace)
// The target on core 0, the mock and the load on core 1, as in `npm run bench`; unpinned on one core.
const [targetCpus, loadCpus] = availableParallelism() >= 2 ? ['0', '1'] : [undefined, undefined]

const COMMANDS: Record<string, { argv: string[]; env?: Record<string, string> }> = {
  gateway: { argv: [process.execPath, 'src/main.ts'] },
  // The compiled gateway (npm run build).
  'gateway-bin': { argv: ['dist/ai-gateway'] },
  passthrough: { argv: [process.execPath, 'scripts/bench/passthrough.ts'] },
  'passthrough-tap': { argv: [process.execPath, 'scripts/bench/passthrough.ts'], env: { PASSTHROUGH_TAP: '1' } },
  ...(values.entry !== undefined && { entry: { argv: [process.execPath, values.entry], env: parseEnv(values['entry-env']) } }),
}

/** `NAME=VALUE,NAME=VALUE` */
function parseEnv(list: string | undefined): Record<string, string> {
  const env: Record<string, string> = {}
  for (const pair of list?.split(',') ?? []) {
    const at = pair.indexOf('=')
    if (at < 1) throw new Error(`--entry-env wants NAME=VALUE pairs, got ${pair}`)
    env[pair.slice(0, at)] = pair.slice(at + 1)
  }
  return env
}

interface Collections {
  count: number
  pausesMs: number[]
}

/** `[GC<...>: START ... p=1.23ms (max ...) ... END]` lines of JSC's GC log. */
function collections(log: string): Collections {
  const pausesMs = [...log.matchAll(/ p=([0-9.]+)ms .*END\]/g)].map((match) => Number(match[1]))
  return { count: pausesMs.length, pausesMs }
}

async function paced(url: string): Promise<StreamResult> {
  const request = buildRequest(url, { format: 'openai', stream: true, paceMs, chunks: STREAM_CHUNKS })
  const spec = { mode: 'paced', request, connections, durationMs: seconds * 1000, stallMs: paceMs * 10, spreadMs: STREAM_CHUNKS * paceMs }
  const proc = Bun.spawn(pinned([process.execPath, join(import.meta.dir, 'load-client.ts'), JSON.stringify(spec)], loadCpus), { stdout: 'pipe', stderr: 'inherit' })
  const out = await new Response(proc.stdout).text()
  if ((await proc.exited) !== 0) throw new Error('load client failed')
  return JSON.parse(out.trim().split('\n').at(-1)!) as StreamResult
}

const workDir = join(ROOT, 'tmp', 'bench', `gc-${new Date().toISOString().replace(/[:.]/g, '-')}`)
mkdirSync(workDir, { recursive: true })
const mockPort = freePort()
const mock = start({ name: 'mock', argv: [process.execPath, join(import.meta.dir, 'mock-provider.ts')], env: { PORT: String(mockPort) }, cpus: loadCpus, logFile: join(workDir, 'mock.log') })
const upstream = `http://127.0.0.1:${mockPort}`
await waitUntilListening(`${upstream}/health`, mock)

console.log(`Bun ${Bun.version}: ${seconds} s of ${connections} paced streams (${STREAM_CHUNKS} chunks, ${paceMs} ms apart) per target, after a warm-up run`)
console.log('| target | streams | TTFB p50 / p95 / p98 / p99 ms | collections | pause p50 / max ms | paused ms in all |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
try {
  for (const name of values.targets!.split(',')) {
    const command = COMMANDS[name]
    if (command === undefined) throw new Error(`unknown target ${name}: ${Object.keys(COMMANDS).join(', ')}`)
    const port = freePort()
    const logFile = join(workDir, `${name}.log`)
    const env = { PORT: String(port), HOST: '127.0.0.1', UPSTREAM: upstream, OPENAI_BASE_URL: upstream, BUN_JSC_logGC: '1', ...command.env }
    const target = start({ name, argv: command.argv, env, cwd: ROOT, cpus: targetCpus, logFile })
    const url = `http://127.0.0.1:${port}`
    await waitUntilListening(url, target)
    await paced(url)
    await Bun.sleep(500)
    const before = collections(await Bun.file(logFile).text()).count
    const result = await paced(url)
    await Bun.sleep(200)
    const all = collections(await Bun.file(logFile).text())
    await target.stop()
    const pauses = all.pausesMs.slice(before).sort((a, b) => a - b)
    const at = (q: number) => pauses[Math.min(pauses.length - 1, Math.floor(q * pauses.length))]?.toFixed(2) ?? '-'
    const total = pauses.reduce((sum, p) => sum + p, 0)
    const ttfbUs = [...(result.ttfbSamplesUs ?? [])].sort((a, b) => a - b)
    const ttfb = (q: number) => ((ttfbUs[Math.min(ttfbUs.length - 1, Math.floor(q * ttfbUs.length))] ?? Number.NaN) / 1000).toFixed(2)
    console.log(`| ${name} | ${result.streams} | ${ttfb(0.5)} / ${ttfb(0.95)} / ${ttfb(0.98)} / ${ttfb(0.99)} | ${pauses.length} | ${at(0.5)} / ${at(1)} | ${total.toFixed(1)} |`)
  }
} finally {
  await stopAll()
}
