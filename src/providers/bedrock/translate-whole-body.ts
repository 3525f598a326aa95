/**
 * A body that must be read whole before it can be translated (a Converse JSON answer, an error
 * body): collects the text, then hands `translate` the whole of it once the upstream is done.
 */
export function createWholeBodyTransform(translate: (text: string) => string): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder()
  let text = ''
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk) {
      text += decoder.decode(chunk, { stream: true })
    },
    flush(controller) {
      text += decoder.decode()
      controller.enqueue(new TextEncoder().encode(translate(text)))
    },
  })
}
