import type { WireFormat } from '../http/wire-format'
import { GatewayError } from './errors'

/** Native Anthropic routes answer errors in Anthropic's shape; everything else speaks OpenAI's. */
export function wireFormatFor(path: string): WireFormat {
  return path === '/v1/messages' || path.startsWith('/v1/messages/') ? 'anthropic' : 'openai'
}

/**
 * The path and query of a request's URL, found as the router finds them. `new URL` throws on a
 * Host it cannot parse (`a b`, an empty one from an HTTP/1.0 client), which no client mistake may
 * turn into a 500.
 */
export function pathAndQuery(url: string): { pathname: string; search: string } {
  const scheme = url.indexOf('://')
  const start = url.indexOf('/', scheme === -1 ? 0 : scheme + 3)
  if (start === -1) return { pathname: '/', search: '' }
  // A fragment is the client's own: it ends the path or the query, and never goes upstream.
  const fragment = url.indexOf('#', start)
  const end = fragment === -1 ? url.length : fragment
  const query = url.indexOf('?', start)
  return query === -1 || query > end ? { pathname: url.slice(start, end), search: '' } : { pathname: url.slice(start, query), search: url.slice(query, end) }
}

const SEGMENT = /^[A-Za-z0-9._~:@!$&'()*+,;=%-]+$/

/** Paths already found valid; a client sends few distinct ones, and a full set just stops growing. */
const validPaths = new Set<string>()
const VALID_PATHS_REMEMBERED = 1024

/**
 * Accepts only plain `/v1/...` paths. URL parsers treat `%2e%2e` as `..`, so every segment
 * is checked decoded as well: nothing may step outside the provider's API prefix.
 */
export function validateApiPath(pathname: string): string {
  if (validPaths.has(pathname)) return pathname
  const segments = pathname.split('/')
  const valid =
    segments[0] === '' &&
    segments[1] === 'v1' &&
    segments.length > 2 &&
    segments.slice(2).every((segment) => {
      if (!SEGMENT.test(segment)) return false
      let decoded: string
      try {
        decoded = decodeURIComponent(segment)
      } catch {
        return false
      }
      return decoded !== '.' && decoded !== '..' && !/[/\\\u0000-\u001f\u007f]/.test(decoded)
    })
  if (!valid) throw new GatewayError(404, 'not_found', 'unknown_url', `Unknown request URL: ${truncate(pathname, 200)}`)
  if (validPaths.size < VALID_PATHS_REMEMBERED) validPaths.add(pathname)
  return pathname
}

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Reads the body once, refusing it with 413 as soon as it grows past `limit` bytes. A client
 * that goes away mid-upload is a 499 `client_abort`, not a failure of the gateway.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array | null> {
  if (BODYLESS_METHODS.has(request.method)) return null
  try {
    return await readBodyOnce(request, limit)
  } catch (error) {
    if (error instanceof GatewayError) throw error
    if (request.signal.aborted) throw new GatewayError(499, 'invalid_request', 'client_abort', 'client closed the connection')
    throw new GatewayError(400, 'invalid_request', 'unreadable_body', 'The request body could not be read')
  }
}

async function readBodyOnce(request: Request, limit: number): Promise<Uint8Array | null> {
  const tooLarge = () => new GatewayError(413, 'too_large', 'request_too_large', `Request body is larger than ${limit} bytes`)
  // A declared length is read natively. `request.body` is not touched on this path: once
  // a JS stream exists, bytes() reads through it (`bytes` in scripts/bench/profile.ts: 1.6 → 1.0 µs).
  const declared = request.headers.get('content-length')
  if (declared !== null) {
    if (Number(declared) > limit) throw tooLarge()
    const bytes = await request.bytes()
    return bytes.byteLength === 0 ? null : bytes
  }
  if (request.body === null) return null
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0]!
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Parses a JSON body once. Bodies of other types (multipart uploads, ...) are left as bytes. */
export function parseJsonBody(body: Uint8Array | null, contentType: string | null): Record<string, unknown> | undefined {
  if (body === null || body.byteLength === 0) return undefined
  if (contentType !== null && !contentType.includes('json')) return undefined
  let value: unknown
  try {
    value = JSON.parse(strictUtf8.decode(body))
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'the body is not valid UTF-8'
    throw new GatewayError(400, 'invalid_request', 'invalid_json', `Request body is not valid JSON: ${reason}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatewayError(400, 'invalid_request', 'invalid_json', 'Request body must be a JSON object')
  }
  return value as Record<string, unknown>
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`
}
