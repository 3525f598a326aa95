import type { Provider } from '../types'

/** The Converse translation, once its first request has loaded it (the module loader loads it once). */
let converse: Provider | undefined

/**
 * AWS Bedrock, loaded with its first request. Its translation and the AWS libraries it signs
 * and decodes with (@smithy's SigV4 and event-stream codec) made every gateway process 4 MB of
 * RSS, 0.6 MB of heap and 6,300 objects heavier (`bun scripts/bench/module-weight.ts
 * ./src/server/app.ts`, before and after), and most gateways never serve Bedrock.
 */
export const bedrock: Provider = {
  id: 'bedrock',

  async toUpstream(request, target) {
    converse ??= (await import('./bedrock-converse')).bedrockConverse
    return converse.toUpstream(request, target)
  },

  fromUpstream(response, request) {
    // Every answer comes from a request this provider sent, so toUpstream has loaded it.
    return converse!.fromUpstream!(response, request)
  },
}
