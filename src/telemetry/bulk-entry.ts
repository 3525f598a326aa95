import type { RequestRecord } from './request-record'

/** One record as `_bulk` takes it: its `create` action line and its document line, newline-ended. */
export type BulkEntry = string

/** `ai-gateway-metrics-{yyyy.MM.dd}` → one index per day of the record's timestamp. */
export function indexNameFor(pattern: string, timestamp: string): string {
  if (!pattern.includes('{')) return pattern
  const [year, month, day] = timestamp.slice(0, 10).split('-')
  return pattern.replace('{yyyy.MM.dd}', `${year}.${month}.${day}`).replace('{yyyy.MM}', `${year}.${month}`)
}

/**
 * The action line up to the id, for the last index pattern and day: the records of a day share
 * it. With an action object and its index name built for every record, toBulkEntry took 5.98 µs
 * a request (0.92 of it its own) in `bun scripts/bench/profile.ts --target gateway-es`; now
 * 3.95–3.97 (0.27–0.28).
 */
const actionFor = { pattern: '', day: '\u0000', start: '' }

/**
 * Serialised as the record is finished, not when its batch leaves: the queue then holds one
 * string per record instead of an object graph that lives on until its batch is sent. What
 * telemetry to Elasticsearch costs per JSON request (gateway-es minus gateway, one
 * `npm run bench` A/B run) went 15.2 → 7.9 µs of CPU at c=32. A 256 KB request payload (the
 * default TELEMETRY_MAX_PAYLOAD_BYTES) takes ~25 µs, on the request's own turn.
 * Each record is created under its request id, so a batch sent twice cannot index it twice:
 * the second `create` answers 409, which means it is already there.
 */
export function toBulkEntry(record: RequestRecord, indexPattern: string): BulkEntry {
  const { timestamp } = record
  if (indexPattern !== actionFor.pattern || !timestamp.startsWith(actionFor.day)) {
    actionFor.pattern = indexPattern
    actionFor.day = timestamp.slice(0, 10)
    actionFor.start = `{"create":{"_index":${JSON.stringify(indexNameFor(indexPattern, timestamp))},"_id":`
  }
  return `${actionFor.start}${JSON.stringify(record.attributes.id)}}}\n${serialised(record)}\n`
}

/** A payload nested deeper than `JSON.stringify`'s stack reaches is left out, not the record. */
function serialised(record: RequestRecord): string {
  try {
    return JSON.stringify(record)
  } catch {
    const left = { unserialisable: true }
    return JSON.stringify({ ...record, attributes: { ...record.attributes, request: left, response: left } })
  }
}

