// Client-side routes under /app/: the address bar is the state of which
// screen is shown, so Back and Forward move between screens and a reload
// lands on the same one. The server answers /app/<anything without a dot>
// with index.html (http/static_files.cpp).
export const BASE = '/app/'

// name: the screen; params from the path; query from the search string.
export function parseRoute (loc = location) {
  const rest = loc.pathname.startsWith(BASE) ? loc.pathname.slice(BASE.length) : ''
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent)
  return { name: parts[0] || 'home', params: parts.slice(1), query: new URLSearchParams(loc.search) }
}

export function hrefOf (name, ...params) {
  return BASE + [name === 'home' ? '' : name, ...params.map(encodeURIComponent)].filter(Boolean).join('/')
}

// Same-origin links to /app/ inside any shadow root become pushState moves.
export function interceptLinks (root, onMove) {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    const a = event.composedPath().find((n) => n instanceof HTMLAnchorElement)
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin || !a.pathname.startsWith(BASE)) return
    event.preventDefault()
    navigate(a.pathname + a.search, onMove)
  })
  addEventListener('popstate', () => onMove(parseRoute()))
}

export function navigate (path, onMove, { replace = false } = {}) {
  if (path !== location.pathname + location.search) history[replace ? 'replaceState' : 'pushState'](null, '', path)
  onMove(parseRoute())
}
