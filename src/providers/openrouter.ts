import { openAICompatible } from './openai-compatible'

export const openrouter = openAICompatible({ id: 'openrouter' })
