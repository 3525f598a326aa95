/**
 * Raw HTTP/1.1 over a loopback TCP socket, for requests `fetch` refuses to send or would
 * normalise: `..` in paths, CR/LF in headers, broken chunked framing, half-sent requests.
 */
export interface RawResponse {
  /** 0 when the server closed without answering. */
  status: number
  headers: Record<string, string>
  body: string
  /** Everything the server sent. */
  raw: string
}

/** Sends `request` as is (with `Connection: close` expected inside it) and reads until the server closes or `timeoutMs`. */
export function rawRequest(url: string, request: string | Uint8Array, timeoutMs = 5000): Promise<RawResponse> {
  const { hostname, port } = new URL(url)
  const decoder = new TextDecoder()
  let received = ''
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = () => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(parseResponse(received))
    }
    const timer = setTimeout(() => {
      socket.then((s) => s.terminate()).catch(() => {})
      finish()
    }, timeoutMs)
    const socket = Bun.connect({
      hostname,
      port: Number(port),
      socket: {
        open(s) {
          s.write(request)
        },
        data(_s, chunk) {
          received += decoder.decode(chunk, { stream: true })
          // A complete answer with content-length or a final chunk: no need to wait for close.
          if (isComplete(received)) finish()
        },
        close: finish,
        error: finish,
      },
    })
    socket.catch(reject)
  })
}

/** Drops interim 1xx answers (`100 Continue`): the final answer follows them. */
function withoutInterim(text: string): string {
  while (/^HTTP\/1\.1 1\d\d /.test(text)) {
    const end = text.indexOf('\r\n\r\n')
    if (end < 0) return ''
    text = text.slice(end + 4)
  }
  return text
}

function isComplete(received: string): boolean {
  const text = withoutInterim(received)
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) return false
  const head = text.slice(0, end).toLowerCase()
  const length = /\r\ncontent-length: *(\d+)/.exec(head)
  if (length) return Buffer.byteLength(text.slice(end + 4)) >= Number(length[1])
  if (head.includes('transfer-encoding: chunked')) return text.endsWith('\r\n0\r\n\r\n')
  return false
}

export function parseResponse(raw: string): RawResponse {
  const final = withoutInterim(raw)
  const end = final.indexOf('\r\n\r\n')
  if (!final.startsWith('HTTP/1.1 ') || end < 0) return { status: 0, headers: {}, body: '', raw }
  const [statusLine, ...lines] = final.slice(0, end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = final.slice(end + 4)
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body)
  return { status: Number(statusLine!.split(' ')[1]), headers, body, raw }
}

function dechunk(text: string): string {
  let out = ''
  let rest = text
  for (;;) {
    const lineEnd = rest.indexOf('\r\n')
    if (lineEnd < 0) return out
    const size = parseInt(rest.slice(0, lineEnd), 16)
    if (!(size > 0)) return out
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size)
    rest = rest.slice(lineEnd + 4 + size)
  }
}

/** A request with `Connection: close`, a Host header and, when given, a body with its length. */
export function httpRequest(method: string, target: string, headers: Record<string, string> = {}, body?: string): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close']
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`)
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`
}
