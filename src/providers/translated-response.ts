/**
 * Headers that describe the upstream's body and would lie about a translated one. The
 * rest (rate limits, retry-after, request ids) still describe the answer and stay.
 */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-md5', 'content-range', 'digest', 'etag', 'accept-ranges']

/** A response whose body the gateway rewrote into another API's format: same status, fitting headers. */
export function translatedResponse(body: ReadableStream<Uint8Array> | null, upstream: Response, contentType: string): Response {
  const headers = new Headers(upstream.headers)
  for (const name of BODY_HEADERS) headers.delete(name)
  headers.set('content-type', contentType)
  return new Response(body, { status: upstream.status, statusText: upstream.statusText, headers })
}

const encoder = new TextEncoder()

/**
 * For answers that are one JSON document (a completion, an error): collects the body, then
 * emits `convert(text)` once it has all arrived. The client waits for the whole document
 * anyway, so collecting it costs no latency. When `convert` throws (the upstream sent
 * something unreadable) the body fails, as a broken connection would.
 */
export function createJsonBodyTransform(convert: (text: string) => string): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder()
  let text = ''
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(bytes) {
      text += decoder.decode(bytes, { stream: true })
    },
    flush(controller) {
      text += decoder.decode()
      controller.enqueue(encoder.encode(convert(text)))
    },
  })
}
