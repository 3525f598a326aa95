import { afterAll, expect, test } from 'bun:test'
import { startGatewayProcess } from '../support/gateway-process'
import { rawRequest } from '../support/raw-http'

/**
 * Thousands of generated malformed requests against a gateway process. Afterwards it must be
 * alive, healthy, back near its starting memory, and it must never have answered a client
 * mistake with a 5xx: the only 5xx allowed are the ones the upstream was told to send.
 */
const CASES = 3000
const SEED = 0x5eed_2026
/** A bound on the run, not an assertion on speed: a hang would otherwise eat the test timeout. */
const TIME_BUDGET_MS = 60_000
const CONCURRENCY = 24

/** mulberry32: small, seeded, good enough to pick cases reproducibly. */
function createRandom(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  const bytes = (length: number) => Uint8Array.from({ length }, () => int(256))
  const printable = (length: number) => Array.from({ length }, () => String.fromCharCode(32 + int(95))).join('')
  return { next, int, pick, bytes, printable }
}
type Random = ReturnType<typeof createRandom>

/** An upstream that answers every request like OpenAI, and fails only when the path says so. */
function startFuzzUpstream() {
  const paths: string[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const path = new URL(request.url).pathname
      paths.push(path)
      await request.arrayBuffer()
      if (path.includes('/upstream-fails')) return Response.json({ error: { message: 'told to fail', type: 'server_error', code: null } }, { status: 503 })
      if (request.headers.get('accept')?.includes('text/event-stream')) {
        return new Response('data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n', { headers: { 'content-type': 'text/event-stream' } })
      }
      return Response.json({ id: 'x', object: 'chat.completion', choices: [] })
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, paths, stop: () => server.stop(true) }
}

const METHODS = ['GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'PROPFIND', 'post', 'G ET']
const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])
const PATHS = ['/v1/chat/completions', '/v1/messages', '/v1/embeddings', '/v1/models', '/v1/upstream-fails', '/health', '/metrics', '/', '/v1', '/v2/x']
const PROVIDERS = ['openai', 'groq', 'OPENAI', ' openai ', 'nope', '__proto__', '../openai', '', 'a'.repeat(300), 'open\tai']
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '', 'application/json\u00e9']

function mutatePath(random: Random): string {
  const path = random.pick(PATHS)
  switch (random.int(8)) {
    case 0:
      return path
    case 1:
      return `${path}/${random.pick(['..', '%2e%2e', '.%2E', '%2f', '%5c', '\\', '%00', '%0d%0a', '%ff', '%', '%zz', ';', '//', '~'])}/${random.pick(['admin', 'etc/passwd', 'v1'])}`
    case 2:
      return `${path}?${random.printable(random.int(40)).replace(/[ #]/g, '')}`
    case 3:
      return `${path}${'/x'.repeat(random.int(300))}`
    case 4:
      return path.replace('/v1', random.pick(['/V1', '/v1%2f', '/%76%31', '/v1/.', '/./v1']))
    case 5:
      return `/${encodeURIComponent(random.printable(random.int(30)))}`
    default:
      return path
  }
}

function body(random: Random): string | Uint8Array | undefined {
  const valid = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }
  switch (random.int(14)) {
    case 0:
      return undefined
    case 1:
      return ''
    case 2:
      return random.bytes(random.int(2000))
    case 3:
      return JSON.stringify(valid).slice(0, random.int(60))
    case 4:
      return JSON.stringify({ ...valid, model: random.pick([null, 1, [], {}, '', true]) })
    case 5:
      return JSON.stringify({ ...valid, messages: random.pick([null, 'hi', 1, {}, [null], [1, 2]]) })
    case 6:
      return '['.repeat(random.int(5000)) + ']'.repeat(random.int(5000))
    case 7:
      return JSON.stringify({ ...valid, stream: random.pick([true, 'true', 1, null]) })
    case 8:
      return JSON.stringify({ ...valid, extra: 'x'.repeat(random.int(100_000)) })
    case 9:
      return new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(JSON.stringify(valid))])
    case 10:
      return JSON.stringify({ ...valid, __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } })
    case 11:
      return JSON.stringify({ ...valid, max_tokens: random.pick([1e308, -1, 'x', 2 ** 64]) })
    case 12:
      return random.printable(random.int(500))
    default:
      return JSON.stringify(valid)
  }
}

function headerLines(random: Random): string[] {
  const lines: string[] = []
  if (random.int(3) > 0) lines.push(`x-provider: ${random.pick(PROVIDERS)}`)
  const type = random.pick(CONTENT_TYPES)
  if (type !== '') lines.push(`content-type: ${type}`)
  if (random.int(2)) lines.push(`authorization: Bearer ${random.printable(random.int(60))}`)
  if (random.int(4) === 0) lines.push(`accept: ${random.pick(['text/event-stream', '*/*', 'application/json'])}`)
  if (random.int(6) === 0) lines.push(`x-${random.printable(8).replace(/[^a-z]/gi, 'a')}: ${random.printable(random.int(2000))}`)
  if (random.int(10) === 0) lines.push(`accept-encoding: ${random.pick(['gzip', 'br', 'zstd', 'identity;q=0', '*'])}`)
  if (random.int(15) === 0) lines.push(`expect: 100-continue`)
  return lines
}

/** One generated request, as raw bytes with a correct Content-Length (framing is fuzzed elsewhere). */
function generate(random: Random): { bytes: Uint8Array; upstreamToldToFail: boolean } {
  const method = random.pick(METHODS)
  const path = mutatePath(random)
  const payload = body(random)
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload
  const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close', ...headerLines(random)]
  if (bytes !== undefined) lines.push(`content-length: ${bytes.byteLength}`)
  const head = new TextEncoder().encode(`${lines.join('\r\n')}\r\n\r\n`)
  const all = new Uint8Array(head.byteLength + (bytes?.byteLength ?? 0))
  all.set(head)
  if (bytes !== undefined) all.set(bytes, head.byteLength)
  return { bytes: all, upstreamToldToFail: path.includes('upstream-fails') }
}

const upstream = startFuzzUpstream()
afterAll(() => upstream.stop())

test(`fuzz: ${CASES} seeded malformed requests leave the gateway alive, healthy, without 5xx for client mistakes and near its starting memory`, async () => {
  const gateway = await startGatewayProcess({ OPENAI_BASE_URL: upstream.url, GROQ_BASE_URL: upstream.url, MAX_REQUEST_BODY_BYTES: '65536', LOG_LEVEL: 'info' })
  try {
    const random = createRandom(SEED)
    const statuses = new Map<number, number>()
    const wrongFiveHundreds: string[] = []
    const unanswered: string[] = []
    let run = 0
    const startedAt = performance.now()

    const runCase = async () => {
      const { bytes, upstreamToldToFail } = generate(random)
      const answer = await rawRequest(gateway.url, bytes, 10_000)
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
      // Bun's HTTP parser drops a connection without an answer only for a request line it cannot read.
      if (answer.status === 0 && KNOWN_METHODS.has(new TextDecoder().decode(bytes.slice(0, 8)).split(' ')[0]!)) unanswered.push(new TextDecoder().decode(bytes.slice(0, 200)))
      if (answer.status >= 500 && !upstreamToldToFail) wrongFiveHundreds.push(`${answer.status} for ${new TextDecoder().decode(bytes.slice(0, 200))}\n→ ${answer.body.slice(0, 300)}`)
      run++
    }
    const batch = async (count: number) => {
      let next = 0
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < count && performance.now() - startedAt < TIME_BUDGET_MS) {
            next++
            await runCase()
          }
        }),
      )
    }

    // Warm up first: the baseline is the gateway with its code loaded and its caches filled.
    await batch(300)
    const rssBefore = gateway.rss()
    await batch(CASES - 300)
    await Bun.sleep(500)
    const rssAfter = gateway.rss()

    console.log(
      `fuzz: ${run} cases in ${Math.round(performance.now() - startedAt)} ms (seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; ` +
        `RSS ${(rssBefore / 2 ** 20).toFixed(1)} → ${(rssAfter / 2 ** 20).toFixed(1)} MiB`,
    )
    expect(run).toBe(CASES)
    expect(wrongFiveHundreds).toEqual([])
    expect(unanswered).toEqual([])
    // Alive and healthy.
    const health = await fetch(`${gateway.url}/health`)
    expect(health.status).toBe(200)
    expect(((await health.json()) as { status: string }).status).toBe('ok')
    // Memory: growth under 64 MiB after 2700 more requests means nothing is kept per request.
    expect(rssAfter - rssBefore).toBeLessThan(64 * 2 ** 20)
    // Nothing escaped the provider API on the upstream side.
    for (const path of upstream.paths) expect(path).toMatch(/^\/v1\/[A-Za-z0-9._~:@!$&'()*+,;=-]+(\/[A-Za-z0-9._~:@!$&'()*+,;=%-]+)*$/)
    expect(upstream.paths.length).toBeGreaterThan(100)
    // No crash output: every stderr line is a JSON log line, and none reports an unhandled error.
    const crashes = gateway.logLines.filter((line) => line !== '' && (!line.startsWith('{') || line.includes('"unhandled')))
    expect(crashes).toEqual([])
  } finally {
    await gateway.terminate()
  }
}, 120_000)
