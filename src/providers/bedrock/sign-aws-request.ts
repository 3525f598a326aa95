import { Sha256Node } from '@smithy/core/checksum'
import { SignatureV4 } from '@smithy/signature-v4'
import type { AwsCredentials } from './resolve-aws-credentials'

export interface SignableRequest {
  method: string
  url: URL
  /** Lower-case header names. `host` is added from the URL; nothing here is forwarded unsigned. */
  headers: Record<string, string>
  body: Uint8Array | null
}

export interface SignOptions {
  service: string
  /** Signing time; now by default. Tests pin it to reproduce AWS's published vectors. */
  date?: Date
}

/**
 * Signs one request with AWS Signature Version 4 and returns the headers to send.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 *
 * Library choice, CPU per signature of one 1.3 KB Converse body on Bun 1.4.5 (measured side by
 * side once): @smithy/signature-v4 with @smithy/core's native SHA-256 (node:crypto) ~15-20 µs;
 * the same with @aws-crypto/sha256-js (pure JS) ~35 µs; aws4fetch (Web Crypto, an await per
 * HMAC) ~80 µs. Smithy caches derived signing keys per day, region, service and key, so a new
 * signer per request derives nothing. `bun scripts/bench/bedrock-translate-cpu.ts` measures this
 * function as the provider calls it.
 */
export async function signAwsRequest(request: SignableRequest, credentials: AwsCredentials, options: SignOptions): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials,
    region: credentials.region,
    service: options.service,
    sha256: Sha256Node,
    // Bedrock does not need x-amz-content-sha256 (an S3 header); leaving it out keeps the
    // signed header set to what AWS's test suite signs.
    applyChecksum: false,
  })
  const { url } = request
  const query: Record<string, string | string[]> = {}
  for (const [key, value] of url.searchParams) {
    const seen = query[key]
    query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
  }
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      // Already percent-encoded; non-S3 services sign it encoded once more, as the SDKs do.
      path: url.pathname,
      query,
      headers: { ...request.headers, host: url.host },
      body: request.body ?? undefined,
    },
    { signingDate: options.date ?? new Date() },
  )
  return signed.headers
}
