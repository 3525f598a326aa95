/**
 * The least any Bun proxy does: Bun.serve, one fetch upstream, and the upstream body handed
 * back as it is. No validation, no header hygiene, no telemetry. The benchmark reports the
 * gateway's numbers as ratios to this process, measured in the same run (floor.ts adds the
 * gateway's guarantees to it).
 *
 * The request body is read whole before the fetch, as a gateway must to read the model: it is
 * also the cheaper way on Bun (a streamed upload cost ~8 µs more per small JSON request here).
 *
 * PORT and UPSTREAM (base URL) come from the environment. PASSTHROUGH_TAP=1 reads the upstream
 * body through a JS reader and hands each chunk on through a JS `ReadableStream`, the least a
 * gateway that looks at streams must do (scripts/bench/gc-paced.ts compares the two).
 */
const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:8080'
const tap = process.env.PASSTHROUGH_TAP === '1'

export const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  reusePort: false,
  idleTimeout: 0,
  async fetch(request) {
    const url = new URL(request.url)
    const response = await fetch(upstream + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: await request.bytes(),
      signal: request.signal,
    })
    if (!tap || response.body === null) return new Response(response.body, response)
    const reader = response.body.getReader()
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { done, value } = await reader.read()
          if (done) controller.close()
          else controller.enqueue(value)
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    )
    return new Response(body, response)
  },
})

process.on('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})
process.stdout.write(`passthrough listening on ${server.port} → ${upstream}\n`)
