import { anthropic } from './anthropic/anthropic'
import { azure } from './azure'
import { bedrock } from './bedrock'
import { cerebras } from './cerebras'
import { deepseek } from './deepseek'
import { fireworks } from './fireworks'
import { gemini } from './gemini'
import { groq } from './groq'
import { mistral } from './mistral'
import { openai } from './openai'
import { openrouter } from './openrouter'
import { perplexity } from './perplexity'
import { together } from './together'
import type { Provider } from './types'
import { xai } from './xai'

/** The registry: the `x-provider` header value (lower-cased) to its provider. */
export const providers: ReadonlyMap<string, Provider> = new Map(
  [openai, groq, together, fireworks, mistral, deepseek, xai, openrouter, perplexity, cerebras, bedrock, anthropic, azure, gemini].map((p) => [p.id, p]),
)

export const DEFAULT_PROVIDER = 'openai'
