// widget.js: the one script a provider pastes. Short-cached and tiny; it
// creates the element where its tag stands and imports the content-hashed
// widget module that defines it.
/* global SLOTWISE_WIDGET_MODULE */
(() => {
  const script = document.currentScript
  const base = script && script.src ? script.src : document.baseURI
  const moduleUrl = new URL(SLOTWISE_WIDGET_MODULE, base).href
  let loading = null
  const load = () => (loading ||= import(moduleUrl))

  const attrs = ['provider', 'service', 'locale', 'timeZone', 'theme', 'brandColor', 'name', 'email',
    'hideDetails', 'weekStart', 'mode', 'api', 'buttonLabel', 'duration', 'manageUrl', 'hourCycle']

  const api = window.Slotwise || {}
  api.ready = api.ready || load()
  api.render = (container, options) => load().then((m) => m.render(container, options))
  api.destroy = (target) => load().then((m) => m.destroy(target))
  window.Slotwise = api

  if (!script || !script.dataset.provider) {
    load()
    return
  }
  const el = document.createElement('slotwise-booking')
  for (const key of attrs) {
    const value = script.dataset[key]
    if (value == null) continue
    el.setAttribute(key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()), value)
  }
  // The API lives where the script comes from, unless told otherwise.
  if (!el.hasAttribute('api')) el.setAttribute('api', new URL('/', base).href)
  const target = script.dataset.target && document.querySelector(script.dataset.target)
  if (target) target.append(el)
  else if (script.parentNode && script.parentNode !== document.head) script.after(el)
  else document.body.append(el)
  load()
})()
