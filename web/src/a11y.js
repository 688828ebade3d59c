// Dialog, focus and keyboard helpers shared by the widget and (later) the
// provider's dashboard: no widget state, only the DOM and plain dates.
import { addDays, addMonths, firstOfMonth, isoWeekday, lastOfMonth, monthOf } from './dates.js'

const TABBABLE = 'button:not([disabled]), [href], input:not([type=radio]):not([disabled]), input[type=radio]:checked, select, textarea, [tabindex="0"]'

// The visible, tabbable elements inside `container`, in document order.
export function tabbables(container) {
  return [...container.querySelectorAll(TABBABLE)].filter((el) => el.getClientRects().length > 0 && el.tabIndex >= 0)
}

// A modal dialog makes the page inert, but Tab past its last control would
// still leave the document: keeps the Tab cycle inside. `activeElement`
// returns the focused element as the dialog's root (a Shadow root) sees it.
export function keepTabInside(dialog, activeElement) {
  dialog.addEventListener('keydown', (e) => {
    // A key in slotted light-DOM content (the payment step's card form) is
    // not in the shadow root's focus order here: the browser's own Tab
    // order (the flat tree's) takes it on to the next control.
    if (e.key !== 'Tab' || e.target.getRootNode() !== dialog.getRootNode()) return
    const items = tabbables(dialog)
    if (!items.length) return
    const index = items.indexOf(activeElement())
    if (e.shiftKey && index <= 0) {
      e.preventDefault()
      items.at(-1).focus()
    } else if (!e.shiftKey && (index === items.length - 1 || index < 0)) {
      e.preventDefault()
      items[0].focus()
    }
  })
}

// Closes a modal dialog on a click on its backdrop.
export function closeOnBackdrop(dialog) {
  dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close() })
}

// The WAI-ARIA date grid's keys: the date a key moves to from `date`, 'select'
// for Enter and Space, or null for a key the grid leaves alone. Right-to-left
// mirrors the arrows; Shift+PageUp/PageDown move by years.
export function gridKeyTarget(key, date, { rtl = false, weekStart = 1, shiftKey = false } = {}) {
  const dayOfWeek = (isoWeekday(date) - weekStart + 7) % 7
  switch (key) {
    case 'ArrowRight': return addDays(date, rtl ? -1 : 1)
    case 'ArrowLeft': return addDays(date, rtl ? 1 : -1)
    case 'ArrowDown': return addDays(date, 7)
    case 'ArrowUp': return addDays(date, -7)
    case 'Home': return addDays(date, -dayOfWeek)
    case 'End': return addDays(date, 6 - dayOfWeek)
    case 'PageUp': case 'PageDown': {
      const m = addMonths(monthOf(date), (key === 'PageUp' ? -1 : 1) * (shiftKey ? 12 : 1))
      const day = Math.min(Number(date.slice(8)), Number(lastOfMonth(m).slice(8)))
      return `${firstOfMonth(m).slice(0, 8)}${String(day).padStart(2, '0')}`
    }
    case 'Enter': case ' ': return 'select'
    default: return null
  }
}
