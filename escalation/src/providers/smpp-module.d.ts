// npm `smpp` ships no types; the provider narrows what it uses in smpp.ts.
declare module 'smpp' {
  const smpp: unknown;
  export default smpp;
}
