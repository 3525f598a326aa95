import { describe, expect, test } from 'bun:test'
import { createHash, createHmac } from 'node:crypto'
import { signAwsRequest } from '../../../src/providers/bedrock/sign-aws-request'

/**
 * AWS's SigV4 test suite (the `header-signed-request.txt` of each case):
 * https://github.com/awslabs/aws-c-auth/tree/main/tests/aws-signing-test-suite/v4
 * Every case signs for region us-east-1, service `service`, at 2015-08-30T12:36:00Z.
 */
const SUITE = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'us-east-1' },
  date: new Date('2015-08-30T12:36:00Z'),
  scope: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request',
}

const vectors: Array<{ name: string; method: string; url: string; headers?: Record<string, string>; sessionToken?: string; authorization: string }> = [
  {
    name: 'get-vanilla',
    method: 'GET',
    url: 'https://example.amazonaws.com/',
    authorization: `${SUITE.scope}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`,
  },
  {
    name: 'post-vanilla',
    method: 'POST',
    url: 'https://example.amazonaws.com/',
    authorization: `${SUITE.scope}, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b`,
  },
  {
    name: 'get-vanilla-query-order-key-case',
    method: 'GET',
    url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1',
    authorization: `${SUITE.scope}, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500`,
  },
  {
    name: 'post-header-key-sort',
    method: 'POST',
    url: 'https://example.amazonaws.com/',
    headers: { 'my-header1': 'value1' },
    authorization: `${SUITE.scope}, SignedHeaders=host;my-header1;x-amz-date, Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c`,
  },
  {
    name: 'get-vanilla-with-session-token',
    method: 'GET',
    url: 'https://example.amazonaws.com/',
    sessionToken: '6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267',
    authorization: `${SUITE.scope}, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8`,
  },
]

describe('signAwsRequest reproduces the AWS SigV4 test suite', () => {
  for (const vector of vectors) {
    test(vector.name, async () => {
      const credentials = vector.sessionToken ? { ...SUITE.credentials, sessionToken: vector.sessionToken } : SUITE.credentials
      const headers = await signAwsRequest(
        { method: vector.method, url: new URL(vector.url), headers: vector.headers ?? {}, body: null },
        credentials,
        { service: 'service', date: SUITE.date },
      )
      expect(headers.authorization).toBe(vector.authorization)
      expect(headers['x-amz-date']).toBe('20150830T123600Z')
      expect(headers.host).toBe('example.amazonaws.com')
      if (vector.sessionToken) expect(headers['x-amz-security-token']).toBe(vector.sessionToken)
    })
  }
})

describe('signAwsRequest on Bedrock paths', () => {
  const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()

  test('a model id with a colon is sent encoded once and signed encoded twice, as the AWS SDKs do', async () => {
    const url = new URL(`https://bedrock-runtime.us-east-1.amazonaws.com/model/${encodeURIComponent('anthropic.claude-3-haiku-20240307-v1:0')}/converse`)
    expect(url.pathname).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse')
    const body = new TextEncoder().encode('{"messages":[]}')
    const headers = await signAwsRequest({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body }, SUITE.credentials, { service: 'bedrock', date: SUITE.date })

    // The canonical request written out by hand, as in AWS's signing guide: the path segment
    // `%3A` becomes `%253A`, and the body is hashed.
    const canonicalRequest = [
      'POST',
      '/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse',
      '',
      'content-type:application/json\nhost:bedrock-runtime.us-east-1.amazonaws.com\nx-amz-date:20150830T123600Z\n',
      'content-type;host;x-amz-date',
      sha256(body),
    ].join('\n')
    const stringToSign = ['AWS4-HMAC-SHA256', '20150830T123600Z', '20150830/us-east-1/bedrock/aws4_request', sha256(canonicalRequest)].join('\n')
    let key = hmac(`AWS4${SUITE.credentials.secretAccessKey}`, '20150830')
    for (const part of ['us-east-1', 'bedrock', 'aws4_request']) key = hmac(key, part)
    const signature = createHmac('sha256', key).update(stringToSign).digest('hex')

    expect(headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${signature}`,
    )
  })
})
