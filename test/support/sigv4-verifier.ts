import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Checks a SigV4 `Authorization` header the way an AWS service does, written out from AWS's
 * signing guide on node:crypto alone, so a mock server does not trust the gateway's own signer:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * Returns null when the signature is valid, else what is wrong.
 */
export function verifySigV4(
  request: { method: string; rawPath: string; rawQuery: string; headers: Headers; body: Uint8Array },
  secrets: ReadonlyMap<string, string>,
): { accessKeyId: string; region: string; service: string } | { error: string; type: string } {
  const authorization = request.headers.get('authorization') ?? ''
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(authorization)
  if (match === null) return { type: 'IncompleteSignatureException', error: 'Authorization header is not a SigV4 header' }
  const [, accessKeyId, day, region, service, signedHeaders, signature] = match as unknown as string[]
  const secret = secrets.get(accessKeyId!)
  if (secret === undefined) return { type: 'UnrecognizedClientException', error: 'The security token included in the request is invalid.' }
  const amzDate = request.headers.get('x-amz-date') ?? ''
  if (!amzDate.startsWith(day!)) return { type: 'InvalidSignatureException', error: 'x-amz-date does not match the credential scope' }
  const names = signedHeaders!.split(';')
  if (!names.includes('host') || !names.includes('x-amz-date')) return { type: 'InvalidSignatureException', error: 'host and x-amz-date must be signed' }

  // Non-S3 services sign each path segment URI-encoded once more.
  const canonicalPath = request.rawPath.split('/').map(uriEncode).join('/')
  const canonicalQuery = request.rawQuery === '' ? '' : request.rawQuery.split('&').map((pair) => pair.split('=').map((p) => uriEncode(decodeURIComponent(p))).join('=')).sort().join('&')
  const canonicalHeaders = names.map((name) => `${name}:${(request.headers.get(name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('')
  const canonicalRequest = [request.method, canonicalPath, canonicalQuery, canonicalHeaders, signedHeaders, sha256(request.body)].join('\n')
  const scope = `${day}/${region}/${service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n')
  let key = hmac(`AWS4${secret}`, day!)
  for (const part of [region!, service!, 'aws4_request']) key = hmac(key, part)
  const expected = createHmac('sha256', key).update(stringToSign).digest()
  if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex'))) {
    return { type: 'InvalidSignatureException', error: 'The request signature we calculated does not match the signature you provided.' }
  }
  return { accessKeyId: accessKeyId!, region: region!, service: service! }
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()
const uriEncode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
