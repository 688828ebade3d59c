// Where the widget's shared files live: the WebAssembly engine and the zone
// picker's chunk, the same content-hashed files as the widget's (web/build.mjs
// defines the names), so a provider's browser caches one copy for both.
/* global SLOTWISE_ENGINE_MODULE, SLOTWISE_ENGINE_WASM, SLOTWISE_ZONES_MODULE */
import { loadZonePicker } from '../../src/zone-picker/load.js'

export const engineFiles = {
  module: '/' + SLOTWISE_ENGINE_MODULE,
  wasm: '/' + SLOTWISE_ENGINE_WASM,
}

// Registers <slotwise-zone-picker> (attributes value, locale, detected,
// label; a composed `change` event with detail.zone) and resolves with its API.
export const loadZones = () => loadZonePicker({ url: '/' + SLOTWISE_ZONES_MODULE })
