import { openAICompatible } from './openai-compatible'

export const fireworks = openAICompatible({ id: 'fireworks' })
