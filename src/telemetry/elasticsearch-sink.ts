import { errors, type Client } from '@elastic/elasticsearch'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { BulkEntry } from './bulk-entry'
import type { ExportSink, SendOutcome } from './exporter'
import { redactUrlCredentials } from './redact-url-credentials'

/**
 * Only what `send` reads: without it every item carries _index, _id, _version, result,
 * _shards, _seq_no and _primary_term, and parsing them took ~0.7 µs per document in a profile.
 * Every item keeps its `status`, so the array stays one item per action, in order (a filter
 * of `items.*.error` alone would drop the successful items and shift the positions).
 * Error responses of the whole request are never filtered by Elasticsearch.
 */
export const BULK_FILTER_PATH = 'errors,items.*.status,items.*.error.type,items.*.error.reason'

/**
 * Whether a whole request that failed with this status is worth sending again: auth (an operator
 * may fix it), throttling, and any 5xx (a proxy in front of the node answers 520-529 too).
 */
const isRetryable = (status: number) => status >= 500 || status === 401 || status === 403 || status === 408 || status === 429

const gzipAsync = promisify(gzip)

/**
 * The sink compresses its own bodies at level 1: the client's compression runs zlib's default
 * level 6, 21 µs of CPU per 2.8 KB record against 5.7 µs at level 1
 * (scripts/bench/exporter-throughput.ts), for a body 27% of its size instead of 18%. zlib's
 * asynchronous API works in slices; `Bun.gzipSync` was 2.3 µs a record cheaper but held the
 * event loop for up to 20 ms a batch.
 */
const GZIP_LEVEL = 1

/**
 * One `_bulk` request per batch of entries (bulk-entry.ts). Each creates its record under the
 * request id, so a batch retried after a lost acknowledgement cannot index a record twice.
 */
export function createElasticsearchSink(client: Client): ExportSink<BulkEntry> {
  async function send(batch: BulkEntry[]): Promise<SendOutcome> {
    let response
    try {
      const body = await gzipAsync(batch.join(''), { level: GZIP_LEVEL })
      response = await client.bulk({ body, filter_path: BULK_FILTER_PATH } as Parameters<Client['bulk']>[0], { headers: { 'content-encoding': 'gzip' }, compression: false })
    } catch (error) {
      // Over http.max_content_length (100 MB by default): large payloads add up; send halves.
      if (error instanceof errors.ResponseError && error.statusCode === 413 && batch.length > 1) return sendInHalves(batch)
      return outcomeOfFailedRequest(error, batch.length)
    }
    // Only a bulk answer says what was stored; any other 2xx body is no delivery.
    if (typeof response?.errors !== 'boolean') return { kind: 'retry', reason: 'Elasticsearch answered the bulk request without its errors flag' }
    if (!response.errors) return { kind: 'ok' }
    // Positions map items to records; a node (or proxy) that answers otherwise cannot be read
    // item by item. Sending the whole batch again is safe: a record already there answers 409.
    if (response.items?.length !== batch.length) return { kind: 'retry', reason: `Elasticsearch answered ${response.items?.length ?? 0} bulk items for ${batch.length} records` }
    const retry: number[] = []
    const failed: Array<{ index: number; reason: string }> = []
    response.items.forEach((item, index) => {
      const result = item.create ?? item.index
      if (result === undefined || result.status < 300 || result.status === 409) return
      // As for a whole request: a 403 on an index (a role without its privilege) is the operator's to mend.
      if (isRetryable(result.status)) retry.push(index)
      else failed.push({ index, reason: `${result.status} ${result.error?.type ?? ''}: ${result.error?.reason ?? ''}`.trim() })
    })
    return retry.length === 0 && failed.length === 0 ? { kind: 'ok' } : { kind: 'partial', retry, failed }
  }

  async function sendInHalves(batch: BulkEntry[]): Promise<SendOutcome> {
    const middle = Math.ceil(batch.length / 2)
    const halves = [
      { offset: 0, outcome: await send(batch.slice(0, middle)), size: middle },
      { offset: middle, outcome: await send(batch.slice(middle)), size: batch.length - middle },
    ]
    const retry: number[] = []
    const failed: Array<{ index: number; reason: string }> = []
    for (const { offset, outcome, size } of halves) {
      if (outcome.kind === 'retry') for (let i = 0; i < size; i++) retry.push(offset + i)
      else if (outcome.kind === 'partial') {
        retry.push(...outcome.retry.map((i) => offset + i))
        failed.push(...outcome.failed.map((f) => ({ index: offset + f.index, reason: f.reason })))
      }
    }
    return retry.length === 0 && failed.length === 0 ? { kind: 'ok' } : { kind: 'partial', retry, failed }
  }

  return { send }
}

function outcomeOfFailedRequest(error: unknown, size: number): SendOutcome {
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode ?? 0
    const reason = `Elasticsearch answered ${status}${status === 401 ? ' (check ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD)' : ''}`
    if (isRetryable(status)) return { kind: 'retry', reason, retryAfterMs: retryAfterMs(error.headers?.['retry-after']) }
    return { kind: 'partial', retry: [], failed: Array.from({ length: size }, (_, index) => ({ index, reason })) }
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return { kind: 'retry', reason: `Elasticsearch unreachable: ${redactUrlCredentials(message)}` }
}

/** `Retry-After` in seconds, capped at 5 minutes; absent, empty or an HTTP date: undefined. */
function retryAfterMs(header: unknown): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (typeof value !== 'string' || value.trim() === '') return undefined
  const seconds = Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 300) * 1000 : undefined
}
