import { afterAll, describe, expect, test } from 'bun:test'
import { errors } from '@elastic/elasticsearch'
import { createElasticsearchClient } from '../../src/telemetry/elasticsearch-client'

const ELASTIC = { 'x-elastic-product': 'Elasticsearch', 'content-type': 'application/json' }

/** Records what reaches it; `/slow` never answers, `/gzip` answers a gzip body. */
const seen: Array<{ path: string; authorization: string | null; body: string }> = []
const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(request) {
    const url = new URL(request.url)
    seen.push({ path: url.pathname + url.search, authorization: request.headers.get('authorization'), body: await request.text() })
    if (url.pathname.endsWith('/slow')) await new Promise(() => {})
    if (url.pathname.endsWith('/gzip')) return new Response(Bun.gzipSync(JSON.stringify({ zipped: true })), { headers: { ...ELASTIC, 'content-encoding': 'gzip' } })
    return new Response(JSON.stringify({ ok: true }), { headers: ELASTIC })
  },
})
afterAll(() => server.stop(true))

const base = `http://127.0.0.1:${server.port}`

describe('the Elasticsearch client over fetch', () => {
  test('keeps the node URL path as a prefix, sends the query, the body and basic auth from the settings', async () => {
    const client = createElasticsearchClient({ url: `${base}/es/`, username: 'elastic', password: 'pw', requestTimeoutMs: 2000 })
    const result = await client.transport.request({ method: 'POST', path: '/_bulk', querystring: { filter_path: 'errors' }, body: { a: 1 } })
    expect(result).toEqual({ ok: true })
    expect(seen.at(-1)).toEqual({ path: '/es/_bulk?filter_path=errors', authorization: `Basic ${btoa('elastic:pw')}`, body: '{"a":1}' })
  })

  test('credentials in the URL become the auth header and never part of the URL', async () => {
    const client = createElasticsearchClient({ url: `http://elastic:secret@127.0.0.1:${server.port}`, requestTimeoutMs: 2000 })
    await client.transport.request({ method: 'GET', path: '/' })
    expect(seen.at(-1)!.authorization).toBe(`Basic ${btoa('elastic:secret')}`)
  })

  test('a gzip answer arrives decoded, and the client is not told to decode it again', async () => {
    const client = createElasticsearchClient({ url: base, requestTimeoutMs: 2000 })
    expect(await client.transport.request({ method: 'GET', path: '/gzip' })).toEqual({ zipped: true })
  })

  test('a node that never answers is a TimeoutError after the request timeout', async () => {
    const client = createElasticsearchClient({ url: base, requestTimeoutMs: 100 })
    const startedAt = performance.now()
    const error = await client.transport.request({ method: 'GET', path: '/slow' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(errors.TimeoutError)
    expect(performance.now() - startedAt).toBeLessThan(2000)
  })

  test('a refused connection is a ConnectionError that does not quote the credentials', async () => {
    const closed = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') })
    const port = closed.port
    closed.stop(true)
    const client = createElasticsearchClient({ url: `http://elastic:secret@127.0.0.1:${port}`, requestTimeoutMs: 2000 })
    const error = await client.transport.request({ method: 'GET', path: '/' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(errors.ConnectionError)
    expect(String((error as Error).message)).not.toContain('secret')
  })

  test('close() resolves', async () => {
    await createElasticsearchClient({ url: base, requestTimeoutMs: 2000 }).close()
  })
})
