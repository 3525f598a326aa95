import { openAICompatible } from './openai-compatible'

export const deepseek = openAICompatible({ id: 'deepseek' })
