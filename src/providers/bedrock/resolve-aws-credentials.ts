import type { AwsSettings } from '../../config/load-config'
import { ProviderRequestError } from '../types'

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  region: string
}

/** Request headers that carry a client's own AWS credentials; the gateway never forwards them. */
export const AWS_CREDENTIAL_HEADERS = {
  accessKeyId: 'x-aws-access-key-id',
  secretAccessKey: 'x-aws-secret-access-key',
  sessionToken: 'x-aws-session-token',
  region: 'x-aws-region',
} as const

/** The region becomes part of the upstream host name: accept only the shape AWS region names have. */
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/

/**
 * The credentials one request is signed with: the client's own x-aws-* headers when it sends a
 * key, else the gateway's settings. A key pair is never mixed across the two sources, so a
 * client key is never signed with the gateway's secret. The region may come from either.
 */
export function resolveAwsCredentials(headers: Headers, settings: AwsSettings = {}): AwsCredentials {
  const headerKey = headers.get(AWS_CREDENTIAL_HEADERS.accessKeyId)
  const headerSecret = headers.get(AWS_CREDENTIAL_HEADERS.secretAccessKey)
  const fromHeaders = headerKey !== null || headerSecret !== null
  if (fromHeaders && (!headerKey || !headerSecret)) {
    throw new ProviderRequestError(
      400,
      'incomplete_aws_credentials',
      `Send both ${AWS_CREDENTIAL_HEADERS.accessKeyId} and ${AWS_CREDENTIAL_HEADERS.secretAccessKey}, or neither to use the gateway's AWS credentials`,
    )
  }
  const accessKeyId = fromHeaders ? headerKey : settings.accessKeyId
  const secretAccessKey = fromHeaders ? headerSecret : settings.secretAccessKey
  if (!accessKeyId || !secretAccessKey) {
    throw new ProviderRequestError(
      401,
      'missing_aws_credentials',
      `Bedrock needs AWS credentials: send the ${AWS_CREDENTIAL_HEADERS.accessKeyId} and ${AWS_CREDENTIAL_HEADERS.secretAccessKey} headers, or configure AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY on the gateway`,
    )
  }
  const sessionToken = (fromHeaders ? headers.get(AWS_CREDENTIAL_HEADERS.sessionToken) : settings.sessionToken) || undefined

  const headerRegion = headers.get(AWS_CREDENTIAL_HEADERS.region)
  const region = headerRegion === null ? settings.region : headerRegion.trim()
  if (!region) {
    throw new ProviderRequestError(400, 'missing_aws_region', `Bedrock needs an AWS region: send the ${AWS_CREDENTIAL_HEADERS.region} header, or configure AWS_REGION on the gateway`)
  }
  if (!REGION.test(region)) {
    // The value is not echoed: it may be anything a client typed into a header.
    throw new ProviderRequestError(400, 'invalid_aws_region', `The ${AWS_CREDENTIAL_HEADERS.region} header is not an AWS region name like us-east-1`)
  }
  return sessionToken === undefined ? { accessKeyId, secretAccessKey, region } : { accessKeyId, secretAccessKey, sessionToken, region }
}
