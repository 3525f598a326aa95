import { openAICompatible } from './openai-compatible'

/** Perplexity serves its OpenAI-compatible API at the root: `/chat/completions`, no `/v1`. */
export const perplexity = openAICompatible({ id: 'perplexity', mapPath: (path) => path.slice('/v1'.length), acceptsStreamOptions: false })
