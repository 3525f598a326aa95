import { createHash, timingSafeEqual } from 'node:crypto'
import { bearerToken } from '../providers/bearer-token'
import type { GatewayKeyEntry } from './gateway-config'

export interface GatewayKeyring {
  readonly size: number
  /** The entry whose key the request presents, or undefined. */
  find(presented: string | undefined): GatewayKeyEntry | undefined
}

const digest = (key: string) => createHash('sha256').update(key).digest()

/**
 * Compares presented keys in constant time: both sides are SHA-256 digests of equal length,
 * and every configured key is compared, so neither a key's length nor its position leaks.
 */
export function createGatewayKeyring(entries: readonly GatewayKeyEntry[]): GatewayKeyring {
  const digests = entries.map((entry) => ({ entry, digest: digest(entry.key) }))
  return {
    size: digests.length,
    find(presented) {
      if (presented === undefined || presented === '') return undefined
      const candidate = digest(presented)
      let found: GatewayKeyEntry | undefined
      for (const { entry, digest } of digests) if (timingSafeEqual(candidate, digest) && found === undefined) found = entry
      return found
    },
  }
}

/** The key a client presents: `Authorization: Bearer` (OpenAI SDKs) or `x-api-key` (Anthropic SDKs). */
export function presentedKey(headers: Headers): string | undefined {
  return bearerToken(headers.get('authorization')) ?? headers.get('x-api-key') ?? undefined
}
