/**
 * What a target keeps alive for each open stream, by object type: the heap's objects after a
 * full collection with N paced streams open, minus the same count when idle, divided by N.
 * Each of them is marked by every collection that runs while its stream is open, so this is
 * what a change does to the work a collection finds in flight (scripts/bench/gc-paced.ts
 * measures the pauses themselves).
 *
 *   bun scripts/bench/live-objects.ts [--target gateway|passthrough-tap] [--streams N]
 *
 * The target runs in this process (its heap is the one counted); the mock provider and the
 * load client are processes of their own, so their objects are not.
 *
 * Measured (Bun 1.4.5, 200 streams): the gateway keeps 114 objects per open stream (25 functions,
 * 17 strings, 16 scopes, 11 objects, ...), the tapping passthrough 40.
 */
import { heapStats } from 'bun:jsc'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildRequest } from './lanes'
import { freePort, start, stopAll, waitUntilListening } from './processes'

const { values } = parseArgs({ options: { target: { type: 'string', default: 'gateway' }, streams: { type: 'string', default: '200' } } })
const streams = Number(values.streams)

const mockPort = freePort()
const mock = start({ name: 'mock', argv: [process.execPath, join(import.meta.dir, 'mock-provider.ts')], env: { PORT: String(mockPort) } })
const upstream = `http://127.0.0.1:${mockPort}`

async function startTarget(): Promise<number> {
  if (values.target === 'passthrough-tap') {
    Object.assign(process.env, { PORT: '0', UPSTREAM: upstream, PASSTHROUGH_TAP: '1' })
    return (await import('./passthrough')).server.port!
  }
  if (values.target !== 'gateway') throw new Error(`unknown target ${values.target}: gateway, passthrough-tap`)
  const { loadConfig } = await import('../../src/config/load-config')
  const { createLogger } = await import('../../src/logger')
  const { createApp } = await import('../../src/server/app')
  const loaded = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', OPENAI_BASE_URL: upstream })
  if (!loaded.ok) throw new Error(loaded.errors.join('; '))
  return createApp({ config: loaded.config, logger: createLogger('warn') }).listen({ port: 0, hostname: '127.0.0.1' }).server!.port!
}

/** Streams of 30 chunks 100 ms apart (3 s), opened over 200 ms: all are open 1.5 s after the start. */
function openStreams(url: string, count: number) {
  const request = buildRequest(url, { format: 'openai', stream: true, paceMs: 100, chunks: 30 })
  const spec = { mode: 'burst', request, streams: count, rampMs: 200, stallMs: 60_000 }
  return Bun.spawn([process.execPath, join(import.meta.dir, 'load-client.ts'), JSON.stringify(spec)], { stdout: 'ignore', stderr: 'inherit' })
}

function liveObjects(): Record<string, number> {
  Bun.gc(true)
  Bun.gc(true)
  return heapStats().objectTypeCounts
}

try {
  await waitUntilListening(`${upstream}/health`, mock)
  const url = `http://127.0.0.1:${await startTarget()}`
  await openStreams(url, 50).exited // warm-up: code compiled, caches filled
  await Bun.sleep(300)
  const idle = liveObjects()
  const load = openStreams(url, streams)
  await Bun.sleep(1500)
  const busy = liveObjects()
  await load.exited
  const perStream = Object.keys(busy)
    .map((type) => [type, ((busy[type] ?? 0) - (idle[type] ?? 0)) / streams] as const)
    .filter(([, count]) => count >= 0.5)
    .sort((a, b) => b[1] - a[1])
  const total = perStream.reduce((sum, [, count]) => sum + count, 0)
  console.log(`Bun ${Bun.version}, ${values.target}: ${total.toFixed(0)} objects kept per open stream (${streams} streams)`)
  console.log('| objects per stream | type |\n| ---: | --- |')
  for (const [type, count] of perStream) console.log(`| ${count.toFixed(1)} | ${type} |`)
} finally {
  await stopAll()
}
process.exit(0)
