// Loads the WebAssembly engine once per page and shares it between widgets.
// The .wasm download and compile start at once, in parallel with the JS glue
// and the snapshot, and the glue is handed the compiled module.
// When WebAssembly is missing, disabled or blocked by a CSP without
// 'wasm-unsafe-eval', this resolves to null and the widget asks the server.

let pending = null

export function loadEngine(moduleUrl, wasmUrl) {
  if (pending) return pending
  pending = (async () => {
    if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') return null
    try {
      // widget.js may already have started both downloads.
      const early = globalThis.Slotwise?.preload?.engine
      const warm = early && early.moduleUrl === moduleUrl && early.wasmUrl === wasmUrl ? early : null
      const compiled = warm ? warm.compiled : typeof WebAssembly.compileStreaming === 'function'
        ? WebAssembly.compileStreaming(fetch(wasmUrl, { credentials: 'omit' }))
        : fetch(wasmUrl, { credentials: 'omit' }).then((r) => r.arrayBuffer()).then((b) => WebAssembly.compile(b))
      compiled.catch(() => {})
      let instantiateFailed
      const failure = new Promise((_, reject) => { instantiateFailed = reject })
      const { default: factory } = await (warm ? warm.glue : import(moduleUrl))
      const mod = await Promise.race([failure, factory({
        locateFile: () => wasmUrl,
        instantiateWasm(imports, receive) {
          compiled
            .then((m) => WebAssembly.instantiate(m, imports).then((instance) => receive(instance, m)))
            .catch(instantiateFailed)
          return {}
        },
        print: () => {},
        printErr: () => {},
      })])
      // One call proves the module works before the widget relies on it.
      mod.tzVersion()
      return mod
    } catch (e) {
      console.warn('slotwise: WebAssembly engine unavailable, using the server', e)
      return null
    }
  })()
  return pending
}

// The module compiles its functions lazily and builds its zone index on first
// use, so the first real query pays tens of milliseconds. Doing one small
// query in the visitor's zone while the snapshot is still on its way moves
// that cost off the path to the first calendar.
export function warmEngine(mod, zone) {
  try {
    const weekly = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '09:00', end: '10:00' }))
    const engine = new mod.Engine(JSON.stringify({
      provider: { id: 'warm-up', time_zone: zone }, schedules: { default: { weekly } }, services: [{ id: 's', durations: [30] }],
    }))
    const now = new Date()
    const day = now.toISOString().slice(0, 10)
    engine.slots(JSON.stringify({ service: 's', from: day, to: day, time_zone: zone, now: now.toISOString().slice(0, 17) + '00Z' }))
    engine.delete()
  } catch { /* only a warm-up */ }
}
