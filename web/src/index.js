// The widget module (content-hashed, long-cached). widget.js loads it; it
// registers <slotwise-booking> and offers the JS API for single-page sites.
import { define, TAG } from './define.js'
import { SlotwiseBooking } from './element.js'

define()
try {
  performance.mark('slotwise:module')
} catch { /* no User Timing */ }

// Options are the element's attributes in camelCase: { provider, service,
// locale, timeZone, theme, brandColor, name, email, hideDetails, weekStart,
// mode, api, buttonLabel, duration }.
export function render(container, options = {}) {
  if (!(container instanceof Element)) throw new TypeError('Slotwise.render: container must be an element')
  destroy(container)
  const el = document.createElement(TAG)
  for (const [key, value] of Object.entries(options)) {
    if (value == null || value === false) continue
    const attr = key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())
    el.setAttribute(attr, value === true ? '' : String(value))
  }
  container.append(el)
  return { element: el, destroy: () => el.remove() }
}

// Removes the widget(s) rendered into a container (or the element itself).
export function destroy(target) {
  if (!target) return
  if (target.localName === TAG) {
    target.remove()
    return
  }
  for (const el of target.querySelectorAll(`:scope > ${TAG}`)) el.remove()
}

export { SlotwiseBooking, define }
