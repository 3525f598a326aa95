import { openAICompatible } from './openai-compatible'

export const mistral = openAICompatible({ id: 'mistral' })
