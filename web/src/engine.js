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
    querySlots(engine, { service: 's', from: day, to: day, time_zone: zone, now: now.toISOString().slice(0, 17) + '00Z' })
    engine.delete()
  } catch { /* only a warm-up */ }
}

// ----- slots without their JSON text ----------------------------------------
// Engine.slots answers JSON text; for 90 days that is 167 KB, and turning it
// into a JS string and parsing it again cost more than computing the slots.
// Engine.slotsCompact answers the same slots as six int32 numbers each (see
// bindings/slotwise_engine.cpp); these functions turn them into the slot
// objects of the JSON answer, byte for byte (tests/wasm checks it on every
// parity case), so that JSON.stringify({ time_zone, slots }) is the text
// Engine.slots would have given.

const twoDigits = Array.from({ length: 100 }, (_, n) => (n < 10 ? '0' : '') + n)
const clockTexts = new Array(1440)
const dateTexts = new Map()
const offsetTexts = new Map()

// Minutes since midnight as "HH:MM".
function clockText(minutes) {
  let text = clockTexts[minutes]
  if (text === undefined) text = clockTexts[minutes] = twoDigits[(minutes / 60) | 0] + ':' + twoDigits[minutes % 60]
  return text
}

// Days since 1970-01-01 as "YYYY-MM-DD"; slot dates lie in engine.md's
// supported years, where toISOString writes exactly that.
function dateText(days) {
  let text = dateTexts.get(days)
  if (text === undefined) dateTexts.set(days, (text = new Date(days * 86400000).toISOString().slice(0, 10)))
  return text
}

function offsetText(minutes) {
  let text = offsetTexts.get(minutes)
  if (text === undefined) {
    const size = Math.abs(minutes)
    text = (minutes < 0 ? '-' : '+') + twoDigits[(size / 60) | 0] + ':' + twoDigits[size % 60]
    offsetTexts.set(minutes, text)
  }
  return text
}

// Minutes since 1970-01-01T00:00Z as "YYYY-MM-DDTHH:MM:00Z": one join of two
// cached halves, the cheapest string V8 can make for it.
const instantDays = new Map()
const instantTimes = new Array(1440)
function instantText(minutes) {
  const days = Math.floor(minutes / 1440)
  const time = minutes - days * 1440
  let day = instantDays.get(days)
  if (day === undefined) instantDays.set(days, (day = dateText(days) + 'T'))
  let clock = instantTimes[time]
  if (clock === undefined) clock = instantTimes[time] = clockText(time) + ':00Z'
  return day + clock
}

// An Int32Array of Engine.slotsCompact as the answer's slot objects.
export function decodeSlots(numbers) {
  const slots = new Array(numbers.length / 6)
  for (let i = 0, at = 0; at < numbers.length; i++, at += 6) {
    slots[i] = {
      start: instantText(numbers[at]),
      end: instantText(numbers[at + 1]),
      local_date: dateText(numbers[at + 2]),
      local_start: clockText(numbers[at + 3]),
      local_end: clockText(numbers[at + 4]),
      utc_offset: offsetText(numbers[at + 5]),
    }
  }
  return slots
}

// A slots query (an object) on an Engine: the parsed answer, exactly what
// JSON.parse(engine.slots(JSON.stringify(query))) gives ({ time_zone, slots }
// or { error }), without the answer's JSON text. Works with a module that
// predates slotsCompact too.
export function querySlots(engine, query) {
  const queryJson = JSON.stringify(query)
  if (typeof engine.slotsCompact !== 'function') return JSON.parse(engine.slots(queryJson))
  const answer = engine.slotsCompact(queryJson)
  if (typeof answer === 'string') return JSON.parse(answer)
  // The answer echoes the query's zone name as given (a link keeps its name).
  return { time_zone: query.time_zone, slots: decodeSlots(answer) }
}
