// The widget bundle (content-hashed, long-cached), a classic script that
// widget.js adds to the page: it registers <slotwise-booking> and hands
// widget.js the JS API for single-page sites (window.Slotwise).
import { define, TAG } from './define.js'
import { SlotwiseBooking } from './element.js'
import { attrOf } from './options.js'

define()
try {
  performance.mark('slotwise:module')
} catch { /* no User Timing */ }

// Options are the element's attributes in camelCase (options.js); unknown
// keys are ignored.
function render(container, options = {}) {
  if (!(container instanceof Element)) throw new TypeError('Slotwise.render: container must be an element')
  destroy(container)
  const el = document.createElement(TAG)
  for (const [key, value] of Object.entries(options)) {
    if (value == null || value === false) continue
    const attr = attrOf(key)
    if (!attr) continue
    el.setAttribute(attr, value === true ? '' : String(value))
  }
  container.append(el)
  return { element: el, destroy: () => el.remove() }
}

// Removes the widget(s) rendered into a container (or the element itself).
function destroy(target) {
  if (!target) return
  if (target.localName === TAG) {
    target.remove()
    return
  }
  for (const el of target.querySelectorAll(`:scope > ${TAG}`)) el.remove()
}

const slotwise = (window.Slotwise ||= {})
slotwise.widget = { render, destroy, define, SlotwiseBooking }
