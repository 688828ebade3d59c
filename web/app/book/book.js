// The shared booking page: the widget for the provider the link names, with
// the options of the link's query (the element's attribute names). Only the
// widget's known options pass; the api is always this server.
(() => {
  const query = new URLSearchParams(location.search)
  const provider = query.get('provider')
  const target = document.getElementById('widget')
  if (!provider || !window.Slotwise || !window.Slotwise.ready) {
    document.getElementById('missing').hidden = false
    return
  }
  window.Slotwise.ready.then(() => {
    const el = document.createElement('slotwise-booking')
    const allowed = ['provider', 'service', 'locale', 'theme', 'brand-color', 'week-start', 'duration', 'hour-cycle', 'time-zone']
    for (const name of allowed) if (query.get(name)) el.setAttribute(name, query.get(name))
    const locale = query.get('locale')
    if (locale) document.documentElement.lang = locale
    el.setAttribute('api', location.origin + '/')
    target.append(el)
  })
})()
