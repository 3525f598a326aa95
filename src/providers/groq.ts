import { openAICompatible } from './openai-compatible'

export const groq = openAICompatible({ id: 'groq' })
