/** `@encdec/viz`: Vega-Lite charts for encoder-decoder models. */
export {};
