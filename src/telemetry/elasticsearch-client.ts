import { Client } from '@elastic/elasticsearch'
import { FetchConnection } from './fetch-connection'

export interface ElasticsearchSettings {
  url: string
  username?: string
  password?: string
  requestTimeoutMs: number
}

/**
 * The official client over Bun's fetch (fetch-connection.ts): the default undici connection
 * fails on Bun (Bun's built-in undici shadows the npm one), and `HttpConnection` costs more.
 * The bulk sink compresses its own bodies (elasticsearch-sink.ts); other requests are small.
 */
export function createElasticsearchClient(settings: ElasticsearchSettings): Client {
  return new Client({
    node: settings.url,
    Connection: FetchConnection,
    requestTimeout: settings.requestTimeoutMs,
    // The exporter retries with its own backoff; the client must not retry on top of it.
    maxRetries: 0,
    ...(settings.username ? { auth: { username: settings.username, password: settings.password ?? '' } } : {}),
  })
}
