import { openAICompatible } from './openai-compatible'

export const together = openAICompatible({ id: 'together' })
