// What the settings panels share: their words, and one way to run an action
// (busy while it runs, its problem kept for the fields and the alert, a
// spoken confirmation when it worked).
import { html, nothing } from 'lit'
import { ScreenElement, baseStyles, problemAt } from '../../ui.js'
import { translator, formatInstant } from '../../i18n.js'
import { strings } from './strings.js'

export class Panel extends ScreenElement {
  static styles = [baseStyles]
  static properties = { ...ScreenElement.properties, busy: { state: true }, error: { state: true } }

  get t () { return translator(strings, this.locale) }

  async act (fn, done = this.t('saved')) {
    this.busy = true
    this.error = null
    try {
      const result = await fn()
      if (done) this.announce(done)
      return result
    } catch (e) {
      this.error = e
      return undefined
    } finally {
      this.busy = false
    }
  }

  // The problem's text at one field (aria-invalid and the message under it).
  fieldError (path, id) {
    const text = problemAt(this.error, path)
    return text ? html`<p class="error" id=${id}>${text}</p>` : nothing
  }

  invalid (path) { return problemAt(this.error, path) ? 'true' : 'false' }

  // The problem that no field took, as an alert.
  generalError (...paths) {
    if (!this.error || paths.some((p) => problemAt(this.error, p))) return nothing
    return html`<p class="error" role="alert">${this.t('failed', { code: this.error.code, detail: this.error.problem?.detail || this.error.message })}</p>`
  }

  when (instant) {
    return instant ? formatInstant(this.locale, instant, undefined) : ''
  }
}

export async function copyText (el, text) {
  try { await navigator.clipboard.writeText(text) } catch { /* the text stays selectable */ }
  el.announce(el.t('copied'))
}
