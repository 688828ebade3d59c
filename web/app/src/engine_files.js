// Where the WebAssembly engine lives: the same content-hashed files as the
// widget's (web/build.mjs defines the names), so a provider's browser caches
// one copy for both.
/* global SLOTWISE_ENGINE_MODULE, SLOTWISE_ENGINE_WASM */
export const engineFiles = {
  module: '/' + SLOTWISE_ENGINE_MODULE,
  wasm: '/' + SLOTWISE_ENGINE_WASM,
}
