import { afterAll, describe, expect, test } from 'bun:test'
import { indexNameFor, toBulkEntry } from '../../src/telemetry/bulk-entry'
import { createElasticsearchClient } from '../../src/telemetry/elasticsearch-client'
import { BULK_FILTER_PATH, createElasticsearchSink } from '../../src/telemetry/elasticsearch-sink'
import type { RequestRecord } from '../../src/telemetry/request-record'
import { sampleRecord } from '../support/sample-record'

interface ReceivedRequest {
  method: string
  path: string
  /** The query string's parameters. */
  query: Record<string, string>
  headers: Record<string, string>
  /** NDJSON lines, decompressed and parsed. */
  lines: unknown[]
}

interface Answer {
  status: number
  body?: unknown
  headers?: Record<string, string>
  /** Never answer (until the server stops). */
  hang?: boolean
}

/**
 * A loopback server answering like Elasticsearch: the product header on every response,
 * the vendored JSON content type, gzip request bodies (the client compresses) decoded.
 */
function startMockElasticsearch() {
  const received: ReceivedRequest[] = []
  let answer: (request: ReceivedRequest) => Answer = () => ({ status: 200, body: { took: 1, errors: false, items: [] } })
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const raw = new Uint8Array(await request.arrayBuffer())
      const bytes = request.headers.get('content-encoding') === 'gzip' ? Bun.gunzipSync(raw) : raw
      const text = new TextDecoder().decode(bytes)
      const lines = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line))
      const url = new URL(request.url)
      const entry = { method: request.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: Object.fromEntries(request.headers), lines }
      received.push(entry)
      const { status, body, headers, hang } = answer(entry)
      if (hang) await new Promise(() => {})
      return new Response(body === undefined ? null : JSON.stringify(body), {
        status,
        headers: { 'x-elastic-product': 'Elasticsearch', 'content-type': 'application/vnd.elasticsearch+json;compatible-with=8', ...headers },
      })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    received,
    answer: (next: typeof answer) => void (answer = next),
    stop: () => void server.stop(true),
  }
}

const mock = startMockElasticsearch()
afterAll(() => mock.stop())

function sinkFor(url: string, options: { username?: string; password?: string; requestTimeoutMs?: number } = {}) {
  const client = createElasticsearchClient({ url, requestTimeoutMs: options.requestTimeoutMs ?? 5000, username: options.username, password: options.password })
  const sink = createElasticsearchSink(client)
  // Records serialised as telemetry.ts does before it queues them.
  return { send: (records: RequestRecord[]) => sink.send(records.map((r) => toBulkEntry(r, 'ai-gateway-metrics-{yyyy.MM.dd}'))) }
}

function record(id: string, timestamp: string): RequestRecord {
  return sampleRecord({
    timestamp,
    attributes: { id, request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'é ✓' }] } },
    metadata: {
      latency: 12,
      tokens: { input: 1, output: 2, total: 3, cached_input: null, cache_write_input: null, reasoning: null },
      cost: 0.000022,
      request_size: 60,
      response_size: 300,
      provider_latency: 10,
      gateway_overhead_ms: 0.4,
      finish_reason: 'stop',
      finish_reason_raw: 'stop',
    },
  })
}

const batch = ['2026-03-01T23:59:59.999Z', '2026-03-02T00:00:00.000Z', '2026-03-02T08:00:00.000Z', '2026-03-02T09:00:00.000Z', '2026-03-02T10:00:00.000Z'].map((ts, i) => record(`rec-${i}`, ts))

const item = (i: number, status: number, error?: { type: string; reason: string }) => ({
  create: { _index: 'ai-gateway-metrics-2026.03.02', _id: `rec-${i}`, status, ...(error === undefined ? { _version: 1, result: 'created' } : { error }) },
})

/** Index pattern, record timestamp, the index the record belongs in. */
const INDEX_CASES: Array<[string, string, string]> = [
  ['ai-gateway-metrics-{yyyy.MM.dd}', '2026-03-01T23:59:59.999Z', 'ai-gateway-metrics-2026.03.01'],
  ['ai-gateway-metrics-{yyyy.MM.dd}', '2026-12-31T00:00:00.000Z', 'ai-gateway-metrics-2026.12.31'],
  ['logs-{yyyy.MM}', '2026-03-01T10:00:00.000Z', 'logs-2026.03'],
  ['ai-gateway-metrics', '2026-03-01T10:00:00.000Z', 'ai-gateway-metrics'],
]

describe('indexNameFor', () => {
  for (const [pattern, timestamp, expected] of INDEX_CASES) {
    test(`${pattern} at ${timestamp} → ${expected}`, () => expect(indexNameFor(pattern, timestamp)).toBe(expected))
  }
})

describe('toBulkEntry', () => {
  test('a create action under the record id, in the index of the record’s own day and pattern, then the record', () => {
    // Each pattern and day after others, both ways, and the last twice in a row.
    const sequence = [...INDEX_CASES, ...INDEX_CASES.toReversed()]
    sequence.forEach(([pattern, timestamp, index], i) => {
      const entry = toBulkEntry(record(`rec-"${i}"`, timestamp), pattern)
      expect(entry.endsWith('\n')).toBe(true)
      const [action, document, rest] = entry.split('\n')
      expect(JSON.parse(action!)).toEqual({ create: { _index: index, _id: `rec-"${i}"` } })
      expect(JSON.parse(document!)).toEqual(record(`rec-"${i}"`, timestamp))
      expect(rest).toBe('')
    })
  })
})

describe('createElasticsearchSink against a loopback Elasticsearch', () => {
  test('one _bulk request of create actions, _id = record id, the daily index of each record', async () => {
    mock.answer(() => ({ status: 200, body: { took: 3, errors: false, items: batch.map((_, i) => item(i, 201)) } }))
    const before = mock.received.length
    expect(await sinkFor(mock.url).send(batch.slice(0, 2))).toEqual({ kind: 'ok' })
    const requests = mock.received.slice(before)
    expect(requests).toHaveLength(1)
    const [bulk] = requests
    expect(bulk!.method).toBe('POST')
    expect(bulk!.path).toBe('/_bulk')
    // Only what the sink reads comes back (a real node's answer to this filter is checked in integration/).
    expect(bulk!.query).toEqual({ filter_path: 'errors,items.*.status,items.*.error.type,items.*.error.reason' })
    expect(bulk!.headers['content-type']).toContain('application/vnd.elasticsearch+x-ndjson')
    expect(bulk!.headers['content-encoding']).toBe('gzip')
    expect(bulk!.lines).toEqual([
      { create: { _index: 'ai-gateway-metrics-2026.03.01', _id: 'rec-0' } },
      JSON.parse(JSON.stringify(batch[0])),
      { create: { _index: 'ai-gateway-metrics-2026.03.02', _id: 'rec-1' } },
      JSON.parse(JSON.stringify(batch[1])),
    ])
  })

  test('errors:true: 403, 429 and 5xx items are retried, 409 counts as delivered, 400 fails with its reason', async () => {
    const reason = "failed to parse field [attributes.metadata.latency] of type [long] in document with id 'rec-3'"
    mock.answer(() => ({
      status: 200,
      body: {
        took: 4,
        errors: true,
        items: [
          item(0, 201),
          item(1, 429, { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' }),
          item(2, 409, { type: 'version_conflict_engine_exception', reason: '[rec-2]: version conflict, document already exists (current version [1])' }),
          item(3, 400, { type: 'mapper_parsing_exception', reason }),
          item(4, 503, { type: 'unavailable_shards_exception', reason: 'primary shard is not active' }),
        ],
      },
    }))
    expect(await sinkFor(mock.url).send(batch)).toEqual({ kind: 'partial', retry: [1, 4], failed: [{ index: 3, reason: `400 mapper_parsing_exception: ${reason}` }] })
    const forbidden = { took: 1, errors: true, items: [item(0, 403, { type: 'security_exception', reason: 'action [indices:data/write/bulk[s]] is unauthorized' })] }
    mock.answer(() => ({ status: 200, body: forbidden }))
    expect(await sinkFor(mock.url).send(batch.slice(0, 1))).toEqual({ kind: 'partial', retry: [0], failed: [] })
  })

  test('an answer filtered to status and error type/reason maps item by item as before', async () => {
    // What Elasticsearch sends for BULK_FILTER_PATH: every item keeps its status, so positions hold.
    expect(BULK_FILTER_PATH).toBe('errors,items.*.status,items.*.error.type,items.*.error.reason')
    mock.answer(() => ({
      status: 200,
      body: {
        errors: true,
        items: [
          { create: { status: 201 } },
          { create: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' } } },
          { create: { status: 409, error: { type: 'version_conflict_engine_exception', reason: '[rec-2]: version conflict, document already exists (current version [1])' } } },
          { create: { status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse field [x]' } } },
          { create: { status: 500, error: { type: 'exception', reason: 'boom' } } },
        ],
      },
    }))
    expect(await sinkFor(mock.url).send(batch)).toEqual({ kind: 'partial', retry: [1, 4], failed: [{ index: 3, reason: '400 document_parsing_exception: failed to parse field [x]' }] })
  })

  test('errors:true with fewer items than records (positions unknown) retries the whole batch', async () => {
    mock.answer(() => ({ status: 200, body: { errors: true, items: [{ create: { status: 400, error: { type: 'document_parsing_exception', reason: 'bad' } } }] } }))
    expect(await sinkFor(mock.url).send(batch.slice(0, 3))).toEqual({ kind: 'retry', reason: 'Elasticsearch answered 1 bulk items for 3 records' })
  })

  test('errors:true with only conflicts is a full success', async () => {
    mock.answer(() => ({ status: 200, body: { took: 1, errors: true, items: [item(0, 409, { type: 'version_conflict_engine_exception', reason: 'exists' }), item(1, 201)] } }))
    expect(await sinkFor(mock.url).send(batch.slice(0, 2))).toEqual({ kind: 'ok' })
  })

  const wholeRequest: Array<{ status: number; type: string; retryAfter?: string; expected: object }> = [
    { status: 401, type: 'security_exception', expected: { kind: 'retry', reason: 'Elasticsearch answered 401 (check ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD)', retryAfterMs: undefined } },
    { status: 429, type: 'es_rejected_execution_exception', retryAfter: '7', expected: { kind: 'retry', reason: 'Elasticsearch answered 429', retryAfterMs: 7000 } },
    { status: 503, type: 'cluster_block_exception', retryAfter: '2', expected: { kind: 'retry', reason: 'Elasticsearch answered 503', retryAfterMs: 2000 } },
    { status: 503, type: 'cluster_block_exception', retryAfter: '86400', expected: { kind: 'retry', reason: 'Elasticsearch answered 503', retryAfterMs: 300_000 } },
    { status: 502, type: 'bad_gateway', retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT', expected: { kind: 'retry', reason: 'Elasticsearch answered 502', retryAfterMs: undefined } },
    { status: 503, type: 'cluster_block_exception', retryAfter: '', expected: { kind: 'retry', reason: 'Elasticsearch answered 503', retryAfterMs: undefined } },
    // Every 5xx: a proxy or load balancer in front of the node answers 507, 520-529 and others.
    ...[501, 507, 520, 524, 599].map((status) => ({ status, type: 'proxy_error', expected: { kind: 'retry', reason: `Elasticsearch answered ${status}`, retryAfterMs: undefined } })),
  ]
  for (const { status, type, retryAfter, expected } of wholeRequest) {
    test(`a whole-request ${status}${retryAfter ? ` with Retry-After: ${retryAfter}` : ''} is retried`, async () => {
      mock.answer(() => ({ status, body: { error: { root_cause: [{ type, reason: 'x' }], type, reason: 'x' }, status }, headers: retryAfter === undefined ? undefined : { 'retry-after': retryAfter } }))
      const outcome = await sinkFor(mock.url, { username: 'elastic', password: 'hunter2-secret' }).send(batch.slice(0, 1))
      expect(outcome).toEqual(expected as never)
      expect(JSON.stringify(outcome)).not.toContain('hunter2-secret')
    })
  }

  test('the configured credentials go to Elasticsearch as basic auth', async () => {
    mock.answer(() => ({ status: 200, body: { took: 1, errors: false, items: [item(0, 201)] } }))
    const before = mock.received.length
    await sinkFor(mock.url, { username: 'elastic', password: 'hunter2-secret' }).send(batch.slice(0, 1))
    expect(mock.received[before]!.headers.authorization).toBe(`Basic ${btoa('elastic:hunter2-secret')}`)
  })

  test('a whole-request 400 fails every record of the batch for good', async () => {
    mock.answer(() => ({ status: 400, body: { error: { type: 'illegal_argument_exception', reason: 'Malformed action/metadata line' }, status: 400 } }))
    expect(await sinkFor(mock.url).send(batch.slice(0, 3))).toEqual({
      kind: 'partial',
      retry: [],
      failed: [0, 1, 2].map((index) => ({ index, reason: 'Elasticsearch answered 400' })),
    })
  })

  test('connection refused is retried', async () => {
    const closed = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
    const url = `http://127.0.0.1:${closed.port}`
    closed.stop(true)
    const outcome = await sinkFor(url).send(batch.slice(0, 1))
    expect(outcome.kind).toBe('retry')
    expect(outcome.kind === 'retry' && outcome.reason).toStartWith('Elasticsearch unreachable: ConnectionError')
  })

  test('a node that never answers is retried after the request timeout', async () => {
    mock.answer(() => ({ status: 200, hang: true }))
    const outcome = await sinkFor(mock.url, { requestTimeoutMs: 200 }).send(batch.slice(0, 1))
    expect(outcome.kind).toBe('retry')
    expect(outcome.kind === 'retry' && outcome.reason).toStartWith('Elasticsearch unreachable: TimeoutError')
  })

  test('a 2xx without the Elasticsearch product header is not taken as delivered', async () => {
    mock.answer(() => ({ status: 200, body: { took: 1, errors: false, items: [item(0, 201)] }, headers: { 'x-elastic-product': 'OpenSearch' } }))
    const outcome = await sinkFor(mock.url).send(batch.slice(0, 1))
    expect(outcome.kind).toBe('retry')
  })

  for (const status of [301, 302, 307, 308]) {
    test(`a ${status} redirect is not taken as delivered: the batch is retried and the reason says why`, async () => {
      mock.answer(() => ({ status, body: { took: 1, errors: false, items: [] }, headers: { location: 'https://elsewhere.example/_bulk' } }))
      const outcome = await sinkFor(mock.url).send(batch.slice(0, 1))
      expect(outcome).toEqual({
        kind: 'retry',
        reason: `Elasticsearch unreachable: ConnectionError: Elasticsearch answered ${status}, a redirect, which is not followed: set ELASTICSEARCH_URL to where it points`,
      })
    })
  }

  test('a 2xx bulk answer without its errors flag is not taken as delivered', async () => {
    mock.answer(() => ({ status: 200, body: { acknowledged: true } }))
    expect(await sinkFor(mock.url).send(batch.slice(0, 1))).toEqual({ kind: 'retry', reason: 'Elasticsearch answered the bulk request without its errors flag' })
  })

  test('a batch over the node\'s request size limit (413) is sent again in halves', async () => {
    // The node takes at most two records per request; one of the four is refused for good.
    mock.answer((request) => {
      const records = request.lines.filter((_, i) => i % 2 === 1) as RequestRecord[]
      if (records.length > 2) return { status: 413, body: { error: 'request too large' } }
      const items = records.map((r) => (r.attributes.id === 'rec-3' ? item(3, 400, { type: 'mapper_parsing_exception', reason: 'bad' }) : item(0, 201)))
      return { status: 200, body: { took: 1, errors: items.some((i) => i.create.status >= 300), items } }
    })
    const before = mock.received.length
    const outcome = await sinkFor(mock.url).send(batch.slice(0, 4))
    expect(outcome).toEqual({ kind: 'partial', retry: [], failed: [{ index: 3, reason: '400 mapper_parsing_exception: bad' }] })
    expect(mock.received.length - before).toBe(3)
  })
})
