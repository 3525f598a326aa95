import { Client, HttpConnection } from '@elastic/elasticsearch'
import { describe, test } from 'bun:test'

export interface TestElasticsearch {
  /** Node URL without credentials. */
  url: string
  host: string
  port: number
  username?: string
  password?: string
  client: Client
}

/**
 * The real node named by ELASTICSEARCH_TEST_URL (credentials may be embedded), or null.
 * With REQUIRE_ELASTICSEARCH=1 a missing node is an error, not a skip: CI sets it.
 */
export function testElasticsearch(): TestElasticsearch | null {
  const raw = process.env.ELASTICSEARCH_TEST_URL
  if (!raw) {
    if (process.env.REQUIRE_ELASTICSEARCH === '1') throw new Error('REQUIRE_ELASTICSEARCH=1 but ELASTICSEARCH_TEST_URL is not set')
    return null
  }
  const parsed = new URL(raw)
  const username = decodeURIComponent(parsed.username) || undefined
  const password = decodeURIComponent(parsed.password) || undefined
  parsed.username = ''
  parsed.password = ''
  const url = parsed.origin
  const client = new Client({ node: url, Connection: HttpConnection, ...(username ? { auth: { username, password: password ?? '' } } : {}) })
  return { url, host: parsed.hostname, port: Number(parsed.port || 9200), username, password, client }
}

let skipNoted = false

/** `describe` that runs only against a real node, and says clearly when it is skipped. */
export function describeWithElasticsearch(name: string, body: (es: TestElasticsearch) => void): void {
  const es = testElasticsearch()
  if (es === null) {
    if (!skipNoted) console.warn('Skipping Elasticsearch tests: set ELASTICSEARCH_TEST_URL (scripts/elasticsearch/start.sh prints it) to run them.')
    skipNoted = true
    // The body is not run: it may use the node while it declares its tests (a client, a URL).
    test.skip(`${name}: needs ELASTICSEARCH_TEST_URL`, () => {})
    return
  }
  describe(name, () => body(es))
}

/** The gateway settings that send telemetry to this node, into `index` (the URL may be a relay's). */
export function exporterSettings(es: TestElasticsearch, index: string, url = es.url): Record<string, string> {
  return {
    ENABLE_ELASTICSEARCH: 'true',
    ELASTICSEARCH_URL: url,
    ELASTICSEARCH_USERNAME: es.username ?? '',
    ELASTICSEARCH_PASSWORD: es.password ?? '',
    ELASTICSEARCH_INDEX: index,
  }
}

export function uniqueIndexName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
}

/** Polls until `check` passes or the deadline comes; returns the last value either way. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let value = await read()
  while (!done(value) && performance.now() < deadline) {
    await Bun.sleep(100)
    value = await read()
  }
  return value
}
