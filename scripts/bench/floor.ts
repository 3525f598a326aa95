/**
 * What the gateway's guarantees for one JSON request cost inlined in one Bun.serve handler, with
 * no telemetry record, no metrics, no provider or routing layer and no Elysia: the gateway's own
 * checks and header functions, called in a row.
 *
 * - a request id; the path checked; the body read once under the size limit and parsed; a chat
 *   request's shape checked;
 * - only the client headers an upstream may see (the gateway's allow-list);
 * - the client's disconnect and a first-byte timeout wired to the upstream call;
 * - the answer's headers cleaned (the gateway's hygiene) and tagged with the id;
 * - an answer of known size up to 4 MiB read whole under an idle timeout, and parsed for its
 *   usage when it is JSON; anything else is handed on natively;
 * - the gateway's error answers for bad input; 502 for an unreachable upstream.
 *
 * Only its JSON lanes mean something: it hands event streams on natively, without the tap the
 * gateway needs to read them (`npm run bench -- --targets floor,gateway --lanes json-c32,json-c128`).
 * Beside the passthrough, its ratio is what these guarantees cost by themselves; the gateway's
 * distance from it is what its structure costs. PORT and UPSTREAM (base URL) come from the environment.
 */
import { BEARER_CREDENTIALS, clientResponseHeaders, forwardedRequestHeaders } from '../../src/http/headers'
import { WHOLE_BODY_MAX_BYTES } from '../../src/routing/read-whole-body'
import { parseJsonBody, pathAndQuery, readBody, validateApiPath, wireFormatFor } from '../../src/server/client-request'
import { errorResponse, GatewayError } from '../../src/server/errors'
import { validateChatRequest } from '../../src/server/validate-chat-request'

const TIMEOUT_MS = 600_000
const MAX_REQUEST_BYTES = 32 * 1024 * 1024
const utf8 = new TextDecoder()

const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:8080'
/** What the floor reads from each exchange, as the gateway must: the model asked for, the tokens answered. */
const read = { model: null as string | null, tokens: 0 }

async function floor(request: Request): Promise<Response> {
  const id = Bun.randomUUIDv7()
  const url = pathAndQuery(request.url)
  try {
    return await answer(request, url, id)
  } catch (error) {
    const refusal = error instanceof GatewayError ? error : new GatewayError(502, 'upstream_unreachable', 'upstream_unreachable', 'upstream unreachable')
    return errorResponse(refusal, wireFormatFor(url.pathname), id)
  }
}

async function answer(request: Request, url: { pathname: string; search: string }, id: string): Promise<Response> {
  const path = validateApiPath(url.pathname)
  const body = await readBody(request, MAX_REQUEST_BYTES)
  const json = parseJsonBody(body, request.headers.get('content-type'))
  validateChatRequest(request.method, path, json)
  read.model = typeof json?.model === 'string' ? json.model : null

  const controller = new AbortController()
  const abort = () => controller.abort()
  if (request.signal.aborted) abort()
  else request.signal.addEventListener('abort', abort, { once: true })
  const firstByte = setTimeout(abort, TIMEOUT_MS)
  let response: Response
  try {
    response = await fetch(upstream + path + url.search, {
      method: request.method,
      headers: forwardedRequestHeaders(request.headers, BEARER_CREDENTIALS),
      body,
      signal: controller.signal,
      redirect: 'manual',
      timeout: false,
    } as RequestInit)
  } finally {
    clearTimeout(firstByte)
  }
  const headers = clientResponseHeaders(response.headers, id)
  const length = response.headers.get('content-length')
  const eventStream = headers.get('content-type')?.includes('text/event-stream') ?? false
  if (response.body === null || eventStream || length === null || Number(length) > WHOLE_BODY_MAX_BYTES) return new Response(response.body, { status: response.status, headers })

  const idle = setTimeout(abort, TIMEOUT_MS)
  let whole: Uint8Array
  try {
    whole = await Bun.readableStreamToBytes(response.body)
  } finally {
    clearTimeout(idle)
  }
  if (headers.get('content-type')?.includes('json')) {
    try {
      read.tokens += (JSON.parse(utf8.decode(whole)) as { usage?: { total_tokens?: number } }).usage?.total_tokens ?? 0
    } catch {}
  }
  return new Response(whole, { status: response.status, headers })
}

const server = Bun.serve({ port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1', reusePort: false, idleTimeout: 0, fetch: floor })
process.on('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})
process.stdout.write(`floor listening on ${server.port} → ${upstream}\n`)
