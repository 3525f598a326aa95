import { forwardedRequestHeaders } from '../http/headers'
import { withStreamUsage } from './openai-compatible'
import { bearerToken } from './bearer-token'
import { invalidRequest } from './converted'
import type { ClientRequest, Provider, ProviderTarget, UpstreamRequest } from './types'

/**
 * The latest dated GA version of Azure OpenAI's data-plane inference API.
 * @see https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle
 */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21'

/** Operations served under `/openai/deployments/{deployment}/`; others (files, batches) sit under `/openai/`. */
const DEPLOYMENT_OPERATIONS = new Set([
  'chat/completions',
  'completions',
  'embeddings',
  'audio/speech',
  'audio/transcriptions',
  'audio/translations',
  'images/generations',
  'images/edits',
])

/** Azure deployment names: letters, digits, `-`, `_`, `.`; checked because the name becomes a path segment. */
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/**
 * Azure OpenAI: the OpenAI API behind per-deployment URLs. The deployment is the request's
 * `model` (or an `x-azure-deployment` header, for bodies that are not JSON); `api-version`
 * comes from the client's query, an `x-azure-api-version` header or the setting. Version
 * `v1` (or `preview`) selects Azure's newer `/openai/v1/...` API, which takes the
 * deployment as `model` in the body like OpenAI itself.
 * @see https://learn.microsoft.com/azure/ai-foundry/openai/reference
 * @see https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle#api-evolution
 */
export const azure: Provider = {
  id: 'azure',
  toUpstream(request: ClientRequest, target: ProviderTarget): UpstreamRequest {
    // A known provider the operator has not set up: the client can only pick another one, and
    // a 5xx would make SDKs retry a request that cannot succeed.
    if (target.baseUrl === '') {
      throw invalidRequest('x-provider azure needs AZURE_OPENAI_BASE_URL to be set on the gateway (e.g. https://my-resource.openai.azure.com)', 'provider_not_configured')
    }
    const operation = request.path.slice('/v1/'.length)
    const query = new URLSearchParams(request.search)
    const apiVersion = query.get('api-version') ?? request.headers.get('x-azure-api-version') ?? target.apiVersion ?? DEFAULT_AZURE_API_VERSION
    let path: string
    if (apiVersion === 'v1' || apiVersion === 'preview') {
      // The v1 API is versionless; only its preview features take api-version=preview.
      if (apiVersion === 'v1') query.delete('api-version')
      else query.set('api-version', apiVersion)
      path = `/openai/v1/${operation}`
    } else {
      query.set('api-version', apiVersion)
      path = DEPLOYMENT_OPERATIONS.has(operation) ? `/openai/deployments/${deployment(request)}/${operation}` : `/openai/${operation}`
    }
    const search = query.size > 0 ? `?${query}` : ''
    const body = takesStreamOptions(apiVersion) ? withStreamUsage(request) : request.body
    return { url: target.baseUrl + path + search, method: request.method, headers: azureHeaders(request.headers), body }
  },
}

/**
 * Azure knows `stream_options` from api-version 2024-09-01-preview on (and in its v1 API); an
 * older version answers a request that carries it with a 400, so it is not added there.
 */
function takesStreamOptions(apiVersion: string): boolean {
  return apiVersion === 'v1' || apiVersion === 'preview' || apiVersion.slice(0, 10) >= '2024-09-01'
}

function deployment(request: ClientRequest): string {
  const name = request.headers.get('x-azure-deployment') ?? request.json?.model
  if (typeof name !== 'string' || name === '') {
    throw invalidRequest('Azure needs a deployment: set model to the deployment name, or send an x-azure-deployment header', 'missing_deployment')
  }
  if (!DEPLOYMENT_NAME.test(name)) throw invalidRequest(`${JSON.stringify(name)} is not a valid Azure deployment name`, 'invalid_deployment')
  return name
}

const AZURE_CREDENTIALS = ['api-key', 'authorization']

/**
 * Azure takes API keys in an `api-key` header. OpenAI SDKs send theirs as `Authorization:
 * Bearer`; that becomes `api-key`, unless it is a Microsoft Entra ID token (a JWT), which
 * Azure reads from `Authorization` itself.
 * @see https://learn.microsoft.com/azure/ai-foundry/openai/reference#authentication
 */
function azureHeaders(client: Headers): Headers {
  const headers = forwardedRequestHeaders(client, AZURE_CREDENTIALS)
  const token = bearerToken(headers.get('authorization'))
  if (headers.has('api-key')) headers.delete('authorization')
  else if (token !== undefined && !isJwt(token)) {
    headers.set('api-key', token)
    headers.delete('authorization')
  }
  return headers
}

function isJwt(token: string): boolean {
  return token.startsWith('eyJ') && token.split('.').length === 3
}
