import { createJsonBodyTransform, translatedResponse } from '../translated-response'
import { ProviderRequestError, type ClientRequest, type Provider, type ProviderTarget, type UpstreamRequest } from '../types'
import { convertBedrockError, bedrockErrorMessage } from './convert-bedrock-error'
import { convertConverseResponse, type CompletionIdentity } from './convert-converse-response'
import { convertToConverseRequest } from './convert-to-converse-request'
import { createConverseStreamToOpenAIStream } from './converse-stream-to-openai'
import { resolveAwsCredentials } from './resolve-aws-credentials'
import { signAwsRequest } from './sign-aws-request'

const encoder = new TextEncoder()

/**
 * AWS Bedrock behind OpenAI's Chat Completions API: the request becomes a Converse (or, with
 * `stream: true`, ConverseStream) call signed with SigV4, and the answer is translated back.
 * Credentials come from the client's x-aws-* headers or the gateway's AWS settings; no client
 * header is forwarded. The registry loads this module with the first Bedrock request (index.ts).
 */
export const bedrockConverse: Provider = {
  id: 'bedrock',

  async toUpstream(request: ClientRequest, target: ProviderTarget): Promise<UpstreamRequest> {
    if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
      throw new ProviderRequestError(404, 'unsupported_route', `Bedrock serves POST /v1/chat/completions through this gateway, not ${request.method} ${request.path}`)
    }
    if (request.json === undefined) throw new ProviderRequestError(400, 'invalid_json', 'Request body must be a JSON object')
    const credentials = resolveAwsCredentials(request.headers, target.aws)
    const { value: call, warnings } = convertToConverseRequest(request.json)

    const base = target.baseUrl.replaceAll('{region}', credentials.region)
    const url = new URL(`${base}/model/${encodeURIComponent(call.modelId)}/${call.stream ? 'converse-stream' : 'converse'}`)
    const body = encoder.encode(JSON.stringify(call.request))
    const headers = { 'content-type': 'application/json', accept: call.stream ? 'application/vnd.amazon.eventstream' : 'application/json' }
    const signed = await signAwsRequest({ method: 'POST', url, headers, body }, credentials, { service: 'bedrock' })
    // fetch sends Host from the URL itself, the same value that was signed.
    delete signed.host
    return { url: url.href, method: 'POST', headers: new Headers(signed), body, warnings }
  },

  fromUpstream(response: Response, request: ClientRequest): Response {
    const identity: CompletionIdentity = {
      id: `chatcmpl-${response.headers.get('x-amzn-requestid') ?? crypto.randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model: typeof request.json?.model === 'string' ? request.json.model : '',
    }
    if (!response.ok) {
      const errorType = response.headers.get('x-amzn-errortype')
      const toOpenAIError = (text: string) => JSON.stringify(convertBedrockError(errorType, bedrockErrorMessage(text), response.status))
      const body = response.body === null ? new Response(toOpenAIError('')).body : response.body.pipeThrough(createJsonBodyTransform(toOpenAIError))
      return translatedResponse(body, response, 'application/json')
    }
    if (response.body === null) return response
    if (request.json?.stream === true) {
      const stream = response.body.pipeThrough(createConverseStreamToOpenAIStream(identity))
      const translated = translatedResponse(stream, response, 'text/event-stream; charset=utf-8')
      translated.headers.set('cache-control', 'no-cache')
      return translated
    }
    const toCompletion = createJsonBodyTransform((text) => JSON.stringify(convertConverseResponse(JSON.parse(text), identity)))
    return translatedResponse(response.body.pipeThrough(toCompletion), response, 'application/json')
  },
}
