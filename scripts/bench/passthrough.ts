/**
 * The floor any Bun gateway can reach: Bun.serve, one fetch upstream, and the upstream body
 * handed back as it is. No validation, no header hygiene, no telemetry. The benchmark reports
 * the gateway's numbers as ratios to this process, measured in the same run.
 *
 * The request body is read whole before the fetch, as a gateway must to read the model: it is
 * also the cheaper way on Bun (a streamed upload cost ~8 µs more per small JSON request here).
 *
 * PORT and UPSTREAM (base URL) come from the environment.
 */
const upstream = process.env.UPSTREAM ?? 'http://127.0.0.1:8080'

const server = Bun.serve({
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
    return new Response(response.body, response)
  },
})

process.on('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})
process.stdout.write(`passthrough listening on ${server.port} → ${upstream}\n`)
