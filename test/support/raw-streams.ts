/**
 * Opens `count` HTTP/1.1 requests at once on raw TCP sockets and counts the answers that
 * reach `doneMarker`. Raw sockets because fetch inside `bun test` stays capped at 256
 * concurrent requests even with BUN_CONFIG_MAX_HTTP_REQUESTS set (measured with Bun 1.4.5),
 * and a test of the gateway's own cap must not be limited by its client.
 */
export async function countCompletedStreams(options: {
  port: number
  path: string
  body: string
  count: number
  doneMarker: string
  timeoutMs: number
}): Promise<number> {
  const { port, path, body, count, doneMarker, timeoutMs } = options
  const request =
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` +
    `authorization: Bearer sk-test\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  const decoder = new TextDecoder()
  const sockets: { end(): void }[] = []
  let completed = 0
  const finished = Array.from(
    { length: count },
    () =>
      new Promise<void>((resolve) => {
        let received = ''
        void Bun.connect({
          hostname: '127.0.0.1',
          port,
          socket: {
            open(socket) {
              sockets.push(socket)
              socket.write(request)
            },
            data(_socket, chunk) {
              if (received.includes(doneMarker)) return
              received += decoder.decode(chunk, { stream: true })
              if (received.includes(doneMarker)) {
                completed++
                resolve()
              }
            },
            close: () => resolve(),
            error: () => resolve(),
            connectError: () => resolve(),
          },
        }).catch(() => resolve())
      }),
  )
  let timer: Timer | undefined
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
  await Promise.race([Promise.all(finished), deadline])
  clearTimeout(timer)
  for (const socket of sockets) socket.end()
  return completed
}
