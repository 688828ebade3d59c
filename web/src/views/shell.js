// The widget's frame in its Shadow root: inline, or a button opening a modal
// <dialog>; inside it the alert line, the screen's body and a polite live
// region for announcements. The nodes the element writes to later go to `s.ui`.
import css from '../styles.css'
import { h, icon } from '../dom.js'
import { closeOnBackdrop, keepTabInside } from '../a11y.js'
import { themeBrands } from '../colour.js'

// One stylesheet object shared by every widget on the page.
let sharedSheet = null
export function baseSheet() {
  if (!sharedSheet) {
    sharedSheet = new CSSStyleSheet()
    sharedSheet.replaceSync(css)
  }
  return sharedSheet
}

// The brand colour of each theme, adjusted to 4.5:1 contrast (colour.js).
export function brandCss(brand) {
  const { light, dark } = themeBrands(brand)
  return `
      :host { --sw-brand: ${light.brand}; --sw-on-brand: ${light.onBrand}; }
      .dark { --sw-brand: ${dark.brand}; --sw-on-brand: ${dark.onBrand}; }`
}

export function widgetShell(s, shadow) {
  const { cfg, t, dir } = s
  const live = h('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' })
  const alert = h('div', { class: 'alert', role: 'alert' })
  const body = h('div', { class: 'body' })
  Object.assign(s.ui, { live, alert, body })
  const content = h('div', { class: 'content' }, alert, body)

  const root = h('div', { class: 'sw', dir, lang: cfg.locale })
  if (cfg.mode === 'popup') {
    root.classList.add('popup')
    const title = h('h2', { id: 'dialog-title', text: t('title') })
    const close = h('button', { type: 'button', class: 'icon', 'aria-label': t('close'), onclick: () => s.ui.dialog.close() }, icon('close'))
    const dialog = h('dialog', { 'aria-labelledby': 'dialog-title', dir, lang: cfg.locale },
      h('div', { class: 'dialog-head' }, title, close),
      h('div', { class: 'dialog-body' }, content))
    const open = h('button', { type: 'button', class: 'btn open', 'aria-haspopup': 'dialog', text: cfg.buttonLabel || t('openButton') })
    open.addEventListener('click', () => {
      dialog.showModal()
      // Focus goes to the first thing to do, not to the close button.
      const target = shadow.querySelector('[role=grid] [tabindex="0"]') || shadow.querySelector('.dialog-body h2, .dialog-body h3, .dialog-body button')
      target?.focus()
    })
    // Native <dialog> traps focus and closes on Esc; focus returns to the opener.
    dialog.addEventListener('close', () => open.focus())
    closeOnBackdrop(dialog)
    keepTabInside(dialog, () => shadow.activeElement)
    s.ui.dialog = dialog
    root.append(open, dialog, live)
  } else {
    root.append(content, live)
  }
  return root
}

export function loadingView(s) {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), s.t('loading'))
}

// A failure that leaves nothing else to do (with Try again when it may pass).
export function fatalView(s, key, retry) {
  return h('div', { class: 'stack fatal' },
    h('p', { class: 'alert', role: 'alert', text: s.t(key) }),
    retry ? h('button', { type: 'button', class: 'btn', text: s.t('retry'), onclick: retry }) : null)
}

export function showAlert(s, text, retry, focus) {
  s.ui.alert.replaceChildren(h('span', { text }))
  const again = retry ? h('button', { type: 'button', class: 'btn plain', text: s.t('retry'), onclick: () => retry() }) : null
  if (again) s.ui.alert.append(' ', again)
  if (focus) {
    // On a phone the alert sits above the form, off-screen: bring it (and
    // its Try again) to the visitor instead of leaving nothing to see.
    s.ui.alert.tabIndex = -1
    ;(again || s.ui.alert).focus({ preventScroll: true })
    s.ui.alert.scrollIntoView({ block: 'center' })
  }
}

export function announce(s, text) {
  // Cleared first so the same text twice is announced twice.
  s.ui.live.textContent = ''
  requestAnimationFrame(() => { s.ui.live.textContent = text })
}
