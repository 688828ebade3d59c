// widget.js: the one script a provider pastes. Short-cached and small; it
// creates the element where its tag stands, adds the content-hashed widget
// script that defines it, and meanwhile starts everything the first calendar
// needs (engine glue, .wasm compile, snapshot) so nothing waits in a chain.
/* global SLOTWISE_WIDGET_MODULE, SLOTWISE_ENGINE_MODULE, SLOTWISE_ENGINE_WASM */
import { initialRange, snapshotUrl } from './range.js'
import { OPTIONS } from './options.js'

(() => {
  const script = document.currentScript
  const base = script && script.src ? script.src : document.baseURI
  const url = (name) => new URL(name, base).href
  const api = (window.Slotwise ||= {})
  // A classic <script>, not import(): loading it from the Slotwise host
  // needs no CORS. Shared by every widget.js tag on the page.
  const load = () => (api.loading ||= new Promise((resolve, reject) => {
    if (api.widget) return resolve(api.widget)
    const el = document.createElement('script')
    el.src = url(SLOTWISE_WIDGET_MODULE)
    el.async = true
    el.onload = () => (api.widget ? resolve(api.widget) : reject(new Error('slotwise: widget did not load')))
    el.onerror = () => {
      api.loading = null
      reject(new Error('slotwise: widget could not be loaded'))
    }
    document.head.append(el)
  }))

  api.ready = load()
  api.ready.catch((e) => console.error(e))
  api.render = (container, options) => load().then((m) => m.render(container, options))
  api.destroy = (target) => load().then((m) => m.destroy(target))

  // Warm starts the widget module picks up (engine.js, element.js).
  const pre = (api.preload ||= { snapshots: new Map() })
  const warmEngine = () => {
    if (pre.engine || SLOTWISE_ENGINE_MODULE.includes('.missing.')) return
    const wasm = url(SLOTWISE_ENGINE_WASM)
    const compiled = typeof WebAssembly === 'object' && WebAssembly.compileStreaming
      ? WebAssembly.compileStreaming(fetch(wasm, { credentials: 'omit' }))
      : Promise.reject(new Error('no WebAssembly'))
    const glue = import(url(SLOTWISE_ENGINE_MODULE))
    compiled.catch(() => {})
    glue.catch(() => {})
    pre.engine = { moduleUrl: url(SLOTWISE_ENGINE_MODULE), wasmUrl: wasm, compiled, glue }
  }

  if (!script || !script.dataset.provider) {
    load()
    return
  }
  const el = document.createElement('slotwise-booking')
  for (const { attr, prop } of OPTIONS) {
    const value = script.dataset[prop]
    if (value != null) el.setAttribute(attr, value)
  }
  // The calendar's space, held at once: the widget module may take seconds
  // on a slow connection. A constructable stylesheet for the element before
  // it is defined (no style attributes or elements: a strict CSP is fine);
  // sizes as styles.css's .placeholder, which takes over once it is defined.
  const hold = () => {
    if (api.placeholderSheet || typeof CSSStyleSheet !== 'function' || !document.adoptedStyleSheets) return
    try {
      const sheet = new CSSStyleSheet()
      sheet.replaceSync('slotwise-booking:not(:defined):not([mode=popup]){display:block;min-height:560px;border-radius:12px;background:rgb(128 128 128/.08)}' +
        '@media (max-width:639px){slotwise-booking:not(:defined):not([mode=popup]){min-height:800px;border-radius:0}}')
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]
      api.placeholderSheet = sheet
    } catch { /* an old browser: no placeholder */ }
  }
  // The API lives where the script comes from, unless told otherwise.
  if (!el.hasAttribute('api')) el.setAttribute('api', new URL('/', base).href)
  const target = script.dataset.target && document.querySelector(script.dataset.target)
  if (target) target.append(el)
  else if (script.parentNode && script.parentNode !== document.head) script.after(el)
  else document.body.append(el)
  hold()
  load()
  warmEngine()
  const snap = snapshotUrl(el.getAttribute('api'), script.dataset.provider, initialRange())
  if (!pre.snapshots.has(snap)) {
    const sent = Date.now()
    pre.snapshots.set(snap, {
      sent,
      response: fetch(snap, { credentials: 'omit', cache: 'no-store', mode: 'cors' })
        .then(async (r) => ({ ok: r.ok, status: r.status, text: await r.text(), received: Date.now() })),
    })
    pre.snapshots.get(snap).response.catch(() => {})
  }
})()
