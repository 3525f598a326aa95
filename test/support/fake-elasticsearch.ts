import { gunzipSync } from 'node:zlib'

/**
 * A loopback stand-in for an Elasticsearch node, for faults a real node will not produce on
 * demand. It answers `_bulk` as Elasticsearch does (`{took, errors, items}` with one result
 * per action) and sends `x-elastic-product: Elasticsearch` on every response, as the client's
 * product check requires. Each bulk request takes the next scripted behaviour; when the
 * script is empty it accepts everything.
 * @see https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-bulk
 */
export type BulkBehaviour =
  | { kind: 'accept' }
  /** The whole request fails with this status (429, 503, ...), optionally with Retry-After seconds. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** Waits this long, then accepts. */
  | { kind: 'slow'; ms: number }
  /** Per item: a status for the items `reject` picks (400 mapper_parsing_exception, 429, ...), the rest accepted. */
  | { kind: 'items'; reject: (id: string, position: number) => number | null }

export interface FakeElasticsearch {
  url: string
  script: BulkBehaviour[]
  /** While set, every bulk request fails with this status (an outage), before the script is read. */
  outage: number | null
  /** Documents indexed, by _id (a repeated create answers 409, as Elasticsearch does). */
  documents: Map<string, unknown>
  /** Every bulk request's document ids and the answer it got. */
  bulkRequests: Array<{ ids: string[]; status: number }>
  /** Bulk requests received and not yet answered (a slow node holding them). */
  pendingBulks: number
  /** Ids of items answered with a scripted rejection, with its status. */
  rejected: Array<{ id: string; status: number }>
  /** Raw Authorization headers received. */
  authorizations: string[]
  stop(): void
}

const PRODUCT = { 'x-elastic-product': 'Elasticsearch' }

export function startFakeElasticsearch(): FakeElasticsearch {
  const fake: FakeElasticsearch = {
    url: '',
    script: [],
    outage: null,
    pendingBulks: 0,
    documents: new Map(),
    bulkRequests: [],
    rejected: [],
    authorizations: [],
    stop: () => server.stop(true),
  }

  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    Response.json(body, { status, headers: { ...PRODUCT, ...headers } })

  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 60,
    async fetch(request) {
      const auth = request.headers.get('authorization')
      if (auth !== null) fake.authorizations.push(auth)
      const path = new URL(request.url).pathname
      if (!path.endsWith('/_bulk')) return json({ acknowledged: true })
      let raw = new Uint8Array(await request.arrayBuffer())
      if (request.headers.get('content-encoding') === 'gzip') raw = gunzipSync(raw)
      const lines = new TextDecoder().decode(raw).split('\n').filter(Boolean)
      const behaviour: BulkBehaviour = fake.outage !== null ? { kind: 'status', status: fake.outage } : (fake.script.shift() ?? { kind: 'accept' })
      const ids: string[] = []
      for (let i = 0; i < lines.length; i += 2) ids.push((JSON.parse(lines[i]!) as { create: { _id: string } }).create._id)
      if (behaviour.kind === 'status') {
        fake.bulkRequests.push({ ids, status: behaviour.status })
        const headers: Record<string, string> = behaviour.retryAfterSeconds === undefined ? {} : { 'retry-after': String(behaviour.retryAfterSeconds) }
        return json({ error: { type: 'es_rejected_execution_exception', reason: 'scripted' }, status: behaviour.status }, behaviour.status, headers)
      }
      if (behaviour.kind === 'slow') {
        fake.pendingBulks++
        await Bun.sleep(behaviour.ms)
        fake.pendingBulks--
      }
      fake.bulkRequests.push({ ids, status: 200 })
      const items = []
      let errors = false
      for (let i = 0; i < lines.length; i += 2) {
        const action = JSON.parse(lines[i]!) as { create: { _index: string; _id: string } }
        const { _index, _id } = action.create
        const rejected = behaviour.kind === 'items' ? behaviour.reject(_id, i / 2) : null
        if (rejected !== null) {
          errors = true
          fake.rejected.push({ id: _id, status: rejected })
          const type = rejected === 429 ? 'es_rejected_execution_exception' : 'document_parsing_exception'
          items.push({ create: { _index, _id, status: rejected, error: { type, reason: 'scripted rejection' } } })
        } else if (fake.documents.has(_id)) {
          errors = true
          items.push({ create: { _index, _id, status: 409, error: { type: 'version_conflict_engine_exception', reason: 'document already exists' } } })
        } else {
          fake.documents.set(_id, JSON.parse(lines[i + 1]!))
          items.push({ create: { _index, _id, _version: 1, result: 'created', status: 201 } })
        }
      }
      return json({ took: 1, errors, items })
    },
  })
  fake.url = `http://127.0.0.1:${server.port}`
  return fake
}
