import { openAICompatible } from './openai-compatible'

export const cerebras = openAICompatible({ id: 'cerebras' })
