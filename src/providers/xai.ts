import { openAICompatible } from './openai-compatible'

export const xai = openAICompatible({ id: 'xai' })
