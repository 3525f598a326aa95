import { openAICompatible } from './openai-compatible'

/** Mistral rejects unknown fields and reports usage in its last chunk without being asked. */
export const mistral = openAICompatible({ id: 'mistral', acceptsStreamOptions: false })
