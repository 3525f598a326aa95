/**
 * What the gateway's guarantees for one request cost by themselves: one Bun.serve handler that
 * does only what the product promises a JSON request, inlined, with no telemetry record, no
 * metrics, no providers and no routing:
 *
 * - a request id, and the body read once and parsed for its model;
 * - only the client headers an upstream may see (the gateway's own allow-list);
 * - the client's disconnect and a first-byte timeout wired to the upstream call;
 * - the answer's headers cleaned (the gateway's own hygiene) and tagged with the id;
 * - a JSON answer read whole under an idle timeout and parsed for its usage (an event stream
 *   is handed on natively: this floor is for JSON).
 *
 * Beside the passthrough in one run (`npm run bench -- --targets passthrough,floor,gateway`), its
 * ratio is the least a Bun gateway with these guarantees costs; the gateway's distance from it
 * is what its own structure (telemetry, metrics, providers, routing) costs.
 * PORT and UPSTREAM (base URL) come from the environment.
 */
import { clientResponseHeaders, forwardedRequestHeaders } from '../../src/http/headers'
import { parseJsonBody } from '../../src/server/client-request'

const TIMEOUT_MS = 600_000
const utf8 = new TextDecoder()

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:8080'
/** What the floor reads from each exchange, as the gateway must: the model asked for, the tokens answered. */
const read = { model: null as string | null, tokens: 0 }

async function floor(request: Request): Promise<Response> {
  const id = Bun.randomUUIDv7()
  const url = new URL(request.url)
  const body = await request.bytes()
  const json = parseJsonBody(body, request.headers.get('content-type'))
  read.model = typeof json?.model === 'string' ? json.model : null

  const controller = new AbortController()
  const abort = () => controller.abort()
  request.signal.addEventListener('abort', abort, { once: true })
  const firstByte = setTimeout(abort, TIMEOUT_MS)
  let response: Response
  try {
    response = await fetch(upstream + url.pathname + url.search, {
      method: request.method,
      headers: forwardedRequestHeaders(request.headers),
      body,
      signal: controller.signal,
      redirect: 'manual',
    })
  } finally {
    clearTimeout(firstByte)
  }
  const headers = clientResponseHeaders(response.headers, id)
  if (response.body === null || headers.get('content-type')?.includes('text/event-stream')) return new Response(response.body, { status: response.status, headers })

  const idle = setTimeout(abort, TIMEOUT_MS)
  let answer: Uint8Array
  try {
    answer = await Bun.readableStreamToBytes(response.body)
  } finally {
    clearTimeout(idle)
  }
  const usage = (JSON.parse(utf8.decode(answer)) as { usage?: { total_tokens?: number } }).usage
  read.tokens += usage?.total_tokens ?? 0
  return new Response(answer, { status: response.status, headers })
}

const server = Bun.serve({ port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1', reusePort: false, idleTimeout: 0, fetch: floor })
process.on('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})
process.stdout.write(`floor listening on ${server.port} → ${upstream}\n`)
