// A tiny element builder. Text always goes in as text nodes, never as HTML,
// so provider-supplied names cannot inject markup.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag)
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v)
      else if (k === 'class') el.className = v
      else if (k === 'text') el.textContent = v
      else if (k === 'dataset') Object.assign(el.dataset, v)
      else if (k in el && k !== 'list' && k !== 'form' && typeof v !== 'string') el[k] = v
      else el.setAttribute(k, v === true ? '' : String(v))
    }
  }
  append(el, children)
  return el
}

// Adds a listener; returns the function that removes it.
export function listen(target, type, fn) {
  target.addEventListener(type, fn)
  return () => target.removeEventListener(type, fn)
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue
    if (Array.isArray(c)) append(el, c)
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)))
  }
}

// The widget's few icons, drawn inline (no requests, no icon font).
const ICON = {
  prev: 'M15 5l-7 7 7 7',
  next: 'M9 5l7 7-7 7',
  close: 'M6 6l12 12M18 6L6 18',
  check: 'M5 12.5l4.5 4.5L19 7',
}
export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('focusable', 'false')
  const path = document.createElementNS(ns, 'path')
  path.setAttribute('d', ICON[name])
  svg.append(path)
  return svg
}
