/**
 * UTF-8 through the WHATWG encoding API, a global in every runtime this package runs in (browsers,
 * Node). The package compiles without DOM or Node types, and declaring the globals here would
 * clash with theirs in the apps that compile these sources, so they are reached through globalThis.
 */
interface Encoder {
  encode(input: string): Uint8Array;
}
interface Decoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
const codecs = globalThis as unknown as {
  TextEncoder: new () => Encoder;
  TextDecoder: new (label: string, options: { fatal: boolean }) => Decoder;
};

const encoder = new codecs.TextEncoder();

export const encodeUtf8 = (text: string): Uint8Array => encoder.encode(text);

/** The text of UTF-8 pieces (a character may span two); malformed bytes throw. */
export const decodeUtf8 = (chunks: Iterable<Uint8Array>): string => {
  const decoder = new codecs.TextDecoder("utf-8", { fatal: true });
  let text = "";
  for (const c of chunks) text += decoder.decode(c, { stream: true });
  return text + decoder.decode();
};
