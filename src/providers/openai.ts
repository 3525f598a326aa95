import { openAICompatible } from './openai-compatible'

export const openai = openAICompatible({ id: 'openai' })
