import type { Client } from '@elastic/elasticsearch'
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { toBulkEntry } from '../../../src/telemetry/bulk-entry'
import { createElasticsearchClient } from '../../../src/telemetry/elasticsearch-client'
import { BULK_FILTER_PATH, createElasticsearchSink } from '../../../src/telemetry/elasticsearch-sink'
import type { RequestRecord } from '../../../src/telemetry/request-record'
import { describeWithElasticsearch, uniqueIndexName } from '../../support/elasticsearch'
import { sampleRecord } from '../../support/sample-record'

/**
 * The bulk answer filtered to `BULK_FILTER_PATH` by a real node, item failures of every kind
 * in one request: the items must stay one per record, in order, for the sink to map them.
 * The daily index pattern sends each record to the index of its day, and each day's index
 * is set up to fail differently.
 */
describeWithElasticsearch('bulk item results from a real Elasticsearch, filtered', (es) => {
  const base = uniqueIndexName('ai-gw-items')
  const pattern = `${base}-{yyyy.MM.dd}`
  const day = { ok: '2026-03-01', stuck: '2026-03-02', readOnly: '2026-03-03', closed: '2026-03-04' }
  const indexOf = (date: string) => `${base}-${date.replaceAll('-', '.')}`
  const client = createElasticsearchClient({ url: es.url, username: es.username, password: es.password, requestTimeoutMs: 10_000 })
  /** The same client, but a bulk request waits at most 1 s for an inactive primary (the default is 1 min). */
  const impatient = Object.create(client) as Client
  impatient.bulk = ((params: object, options?: object) => client.bulk({ ...params, timeout: '1s' } as never, options as never)) as never

  const record = (id: string, date: string, latency: unknown = 12): RequestRecord =>
    sampleRecord({ timestamp: `${date}T10:00:00.000Z`, attributes: { id, request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] } }, metadata: { latency: latency as number } })

  beforeAll(async () => {
    const settings = { number_of_replicas: 0 }
    const mappings = { properties: { attributes: { properties: { metadata: { properties: { latency: { type: 'long' as const } } } } } } }
    await es.client.indices.create({ index: indexOf(day.ok), settings, mappings })
    // A primary that can never be allocated: writes answer 503 unavailable_shards_exception.
    await es.client.indices.create({ index: indexOf(day.stuck), settings: { ...settings, 'index.routing.allocation.require._name': 'nowhere' }, wait_for_active_shards: 0 })
    await es.client.indices.create({ index: indexOf(day.readOnly), settings })
    await es.client.indices.addBlock({ index: indexOf(day.readOnly), block: 'write' })
    await es.client.indices.create({ index: indexOf(day.closed), settings })
    await es.client.indices.close({ index: indexOf(day.closed) })
  })
  afterAll(async () => {
    await es.client.indices.delete({ index: `${base}-*` }).catch(() => {})
    await client.close()
  })

  test('the filtered answer keeps one item per action, in order, with only status and error type/reason', async () => {
    const records = [record('raw-1', day.ok), record('raw-2', day.stuck), record('raw-3', day.readOnly), record('raw-4', day.closed), record('raw-5', day.ok, 'slow'), record('raw-6', day.ok)]
    const operations = records.flatMap((r) => [{ create: { _index: indexOf(r.timestamp.slice(0, 10)), _id: r.attributes.id } }, r])
    const response = await client.bulk({ operations, filter_path: BULK_FILTER_PATH, timeout: '1s' })
    expect(Object.keys(response).sort()).toEqual(['errors', 'items'])
    expect(response.errors).toBe(true)
    expect(response.items.map((item) => item.create?.status)).toEqual([201, 503, 403, 400, 400, 201])
    expect(response.items[0] as unknown).toEqual({ create: { status: 201 } })
    for (const item of response.items.slice(1, 5)) {
      expect(Object.keys(item.create!).sort()).toEqual(['error', 'status'])
      expect(Object.keys(item.create!.error!).sort()).toEqual(['reason', 'type'])
    }
    expect(response.items.map((item) => item.create?.error?.type)).toEqual([undefined, 'unavailable_shards_exception', 'cluster_block_exception', 'index_closed_exception', 'document_parsing_exception', undefined])
  }, 30_000)

  test('the sink maps a real partial failure: 409 delivered, 403 and 5xx retried, the others failed with their reasons', async () => {
    const sink = createElasticsearchSink(impatient)
    const send = (records: RequestRecord[]) => sink.send(records.map((r) => toBulkEntry(r, pattern)))
    expect(await send([record('sink-1', day.ok), record('sink-2', day.ok)])).toEqual({ kind: 'ok' })
    const outcome = await send([
      record('sink-1', day.ok), // already there: 409
      record('sink-3', day.ok),
      record('sink-4', day.ok, 'slow'), // not a long: 400
      record('sink-5', day.readOnly), // write block: 403, lifted by an operator (or by Elasticsearch once a full disk has room)
      record('sink-6', day.closed), // closed index: 400
      record('sink-7', day.stuck), // no active primary: 503
      record('sink-8', day.ok),
    ])
    expect(outcome.kind).toBe('partial')
    if (outcome.kind !== 'partial') return
    expect(outcome.retry).toEqual([3, 5])
    expect(outcome.failed.map((f) => f.index)).toEqual([2, 4])
    expect(outcome.failed[0]!.reason).toStartWith('400 document_parsing_exception: ')
    expect(outcome.failed[0]!.reason).toContain("document with id 'sink-4'")
    expect(outcome.failed[1]!.reason).toBe('400 index_closed_exception: closed')
    await es.client.indices.refresh({ index: indexOf(day.ok) })
    const ids = (await es.client.search({ index: indexOf(day.ok), size: 20, _source: false })).hits.hits.map((hit) => hit._id!).filter((id) => id.startsWith('sink-')).sort()
    expect(ids).toEqual(['sink-1', 'sink-2', 'sink-3', 'sink-8'])
  }, 30_000)
})
