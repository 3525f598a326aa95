import { errors, type Client } from '@elastic/elasticsearch'
import type { ExportSink, SendOutcome } from './exporter'
import type { RequestRecord } from './request-record'

/** `ai-gateway-metrics-{yyyy.MM.dd}` → one index per day of the record's timestamp. */
export function indexNameFor(pattern: string, timestamp: string): string {
  if (!pattern.includes('{')) return pattern
  const [year, month, day] = timestamp.slice(0, 10).split('-')
  return pattern.replace('{yyyy.MM.dd}', `${year}.${month}.${day}`).replace('{yyyy.MM}', `${year}.${month}`)
}

/** Statuses of a whole request worth retrying: auth (an operator may fix it), throttling, server trouble. */
const RETRYABLE_STATUS = new Set([401, 403, 408, 429, 500, 502, 503, 504])

/**
 * One `_bulk` request per batch. Each record is created under its request id, so a batch
 * retried after a lost acknowledgement cannot index a record twice: the second `create`
 * answers 409, which means it is already there.
 */
export function createElasticsearchSink(client: Client, indexPattern: string): ExportSink<RequestRecord> {
  return {
    async send(batch): Promise<SendOutcome> {
      const operations: unknown[] = []
      for (const record of batch) {
        operations.push({ create: { _index: indexNameFor(indexPattern, record.timestamp), _id: record.attributes.id } }, record)
      }
      let response
      try {
        response = await client.bulk({ operations })
      } catch (error) {
        return outcomeOfFailedRequest(error, batch.length)
      }
      if (!response.errors) return { kind: 'ok' }
      const retry: number[] = []
      const failed: Array<{ index: number; reason: string }> = []
      response.items.forEach((item, index) => {
        const result = item.create ?? item.index
        if (result === undefined || result.status < 300 || result.status === 409) return
        if (result.status === 429 || result.status >= 500) retry.push(index)
        else failed.push({ index, reason: `${result.status} ${result.error?.type ?? ''}: ${result.error?.reason ?? ''}`.trim() })
      })
      return retry.length === 0 && failed.length === 0 ? { kind: 'ok' } : { kind: 'partial', retry, failed }
    },
  }
}

function outcomeOfFailedRequest(error: unknown, size: number): SendOutcome {
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode ?? 0
    const reason = `Elasticsearch answered ${status}${status === 401 ? ' (check ELASTICSEARCH_USERNAME / ELASTICSEARCH_PASSWORD)' : ''}`
    if (RETRYABLE_STATUS.has(status)) return { kind: 'retry', reason, retryAfterMs: retryAfterMs(error.headers?.['retry-after']) }
    return { kind: 'partial', retry: [], failed: Array.from({ length: size }, (_, index) => ({ index, reason })) }
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return { kind: 'retry', reason: `Elasticsearch unreachable: ${message}` }
}

function retryAfterMs(header: unknown): number | undefined {
  const seconds = Number(Array.isArray(header) ? header[0] : header)
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 300) * 1000 : undefined
}
