/**
 * The benchmark's upstream: a fast mock provider in its own process, on loopback.
 *
 *   POST /v1/chat/completions   OpenAI format      POST /v1/messages   Anthropic format
 *   body `"stream": true`       SSE, else JSON     ?chunks=N           events per stream (default 20)
 *   ?pace=MS                    MS between events (0 = as fast as the socket takes them)
 *   anything else               an Elasticsearch stand-in (`/_bulk`, templates), so telemetry-on
 *                               targets have a sink that acknowledges their documents
 *   GET /__stats                counters (requests, streams, Elasticsearch documents)
 *
 * PORT (env) picks the port. Stops on SIGTERM.
 */
import { errorBody, jsonAnswer, streamEvents, type MockFormat } from './mock-wire'
import { createPacer } from './mock-pacer'

const DEFAULT_CHUNKS = 20
const JSON_WORDS = 16
const STREAM_PATTERN = /"stream"\s*:\s*true/
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_bench' }
const JSON_HEADERS = { 'content-type': 'application/json', 'x-request-id': 'req_bench' }
const ELASTIC_HEADERS = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }

const stats = { requests: 0, streams: 0, cancelled: 0, elasticsearchDocuments: 0, elasticsearchRequests: 0 }
const jsonBodies = { openai: jsonAnswer('openai', JSON_WORDS), anthropic: jsonAnswer('anthropic', JSON_WORDS) }
const eventCache = new Map<string, Uint8Array[]>()
const pacer = createPacer()

function eventsFor(format: MockFormat, chunks: number): Uint8Array[] {
  const key = `${format}:${chunks}`
  let events = eventCache.get(key)
  if (events === undefined) eventCache.set(key, (events = streamEvents(format, chunks)))
  return events
}

/**
 * Zero-delay stream: one socket write per event, so a proxy gets (up to) N chunks, not one.
 * Events enqueued in the same turn of the event loop leave in one write (Bun coalesces them,
 * `flush()` of a direct stream included), hence one macrotask between events.
 */
function burstStream(events: Uint8Array[], onCancel: () => void): ReadableStream<Uint8Array> {
  let next = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next > 0) await new Promise<void>((resolve) => setImmediate(resolve))
      controller.enqueue(events[next++]!)
      if (next === events.length) controller.close()
    },
    cancel: onCancel,
  })
}

async function provider(request: Request, url: URL, format: MockFormat): Promise<Response> {
  if (request.method !== 'POST') return new Response(errorBody(format, `Unknown request URL: ${request.method} ${url.pathname}`), { status: 404, headers: JSON_HEADERS })
  const body = await request.text()
  if (!STREAM_PATTERN.test(body)) return new Response(jsonBodies[format], { headers: JSON_HEADERS })
  stats.streams++
  const chunks = Number(url.searchParams.get('chunks') ?? DEFAULT_CHUNKS)
  const pace = Number(url.searchParams.get('pace') ?? 0)
  const events = eventsFor(format, Number.isFinite(chunks) ? chunks : DEFAULT_CHUNKS)
  const onCancel = () => void stats.cancelled++
  const stream = pace > 0 ? pacer.stream(events, pace, onCancel) : burstStream(events, onCancel)
  return new Response(stream, { headers: SSE_HEADERS })
}

/** Enough of Elasticsearch for a bulk exporter: product header, root info, `_bulk` items. */
async function elasticsearch(request: Request, url: URL): Promise<Response> {
  stats.elasticsearchRequests++
  if (url.pathname.endsWith('/_bulk')) {
    // The gateway's sink sends gzip bodies.
    const raw = new Uint8Array(await request.arrayBuffer())
    const body = request.headers.get('content-encoding') === 'gzip' ? Bun.gunzipSync(raw) : raw
    const lines = new TextDecoder().decode(body).split('\n')
    const items: unknown[] = []
    const statusOnly = url.searchParams.get('filter_path')?.includes('items.*.status') ?? false
    for (let i = 0; i < lines.length; i++) {
      const action = lines[i]!.match(/^\{\s*"(index|create|update|delete)"/)?.[1]
      if (action === undefined) continue
      const status = action === 'create' ? 201 : 200
      // As Elasticsearch does: with a filter_path on items' status (the gateway's), nothing else.
      items.push({ [action]: statusOnly ? { status } : { _index: 'bench', _id: String(items.length), status, result: 'created' } })
      if (action !== 'delete') i++
    }
    stats.elasticsearchDocuments += items.length
    return new Response(JSON.stringify({ took: 1, errors: false, items }), { headers: ELASTIC_HEADERS })
  }
  await request.arrayBuffer()
  if (url.pathname === '/' && request.method === 'GET') {
    return new Response(JSON.stringify({ name: 'bench', cluster_name: 'bench', version: { number: '9.1.0' }, tagline: 'You Know, for Search' }), { headers: ELASTIC_HEADERS })
  }
  return new Response(JSON.stringify({ acknowledged: true }), { headers: ELASTIC_HEADERS })
}

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  reusePort: false,
  idleTimeout: 0,
  fetch(request) {
    stats.requests++
    const url = new URL(request.url)
    const path = url.pathname
    if (path === '/v1/chat/completions') return provider(request, url, 'openai')
    if (path === '/v1/messages') return provider(request, url, 'anthropic')
    if (path === '/__stats') return Response.json(stats)
    if (path === '/health') return new Response('ok')
    if (path.startsWith('/v1/')) return new Response(errorBody('openai', `Unknown request URL: ${path}`), { status: 404, headers: JSON_HEADERS })
    return elasticsearch(request, url)
  },
})

process.on('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})
process.stdout.write(`mock provider listening on ${server.port}\n`)
