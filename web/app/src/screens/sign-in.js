// Sign-in inside the dashboard: the address, then the 8-digit code from the
// mail (api.md "Accounts"). The mail's link opens /app/sign-in/ instead,
// which signs in on a click and leads back here.
import { html } from 'lit'
import { ScreenElement, baseStyles, emit } from '../ui.js'
import { translator } from '../i18n.js'
import { strings } from './sign-in.strings.js'

export class SignIn extends ScreenElement {
  static styles = [baseStyles]
  static properties = { ...ScreenElement.properties, challenge: { state: true }, email: { state: true }, message: { state: true }, busy: { state: true } }

  constructor () {
    super()
    this.challenge = null
    this.email = ''
    this.message = ''
    this.busy = false
  }

  get t () { return translator(strings, this.locale) }

  problem (e) {
    return ['INVALID_CODE', 'CHALLENGE_EXPIRED', 'RATE_LIMITED'].includes(e.code) ? this.t(e.code) : this.t('failed', { code: e.code })
  }

  async ask (event) {
    event.preventDefault()
    const email = this.renderRoot.querySelector('#email').value.trim()
    if (!email) { this.message = this.t('needEmail'); return }
    this.busy = true
    try {
      const answer = await this.api.post('/v1/auth/email-code', { email })
      this.email = email
      this.challenge = answer.challenge
      this.message = ''
      await this.updateComplete
      this.renderRoot.querySelector('#code').focus()
    } catch (e) {
      this.message = this.problem(e)
    } finally {
      this.busy = false
    }
  }

  async enter (event) {
    event.preventDefault()
    const code = this.renderRoot.querySelector('#code').value.replace(/\s/g, '')
    if (!/^[0-9]{8}$/.test(code)) { this.message = this.t('eightDigits'); return }
    this.busy = true
    try {
      await this.api.post('/v1/auth/session', { challenge: this.challenge, code })
      emit(this, 'sw-signed-in')
    } catch (e) {
      this.message = this.problem(e)
      if (e.code === 'CHALLENGE_EXPIRED') this.challenge = null
    } finally {
      this.busy = false
    }
  }

  render () {
    const t = this.t
    return html`
      <h1 tabindex="-1">${t('title')}</h1>
      ${this.challenge
        ? html`<form @submit=${this.enter} novalidate>
            <p>${t('sent', { email: this.email })}</p>
            <label for="code">${t('code')}</label>
            <input id="code" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required
              aria-describedby="message" aria-invalid=${this.message ? 'true' : 'false'}>
            <div class="row"><button ?disabled=${this.busy}>${t('signIn')}</button>
            <button type="button" class="secondary" @click=${() => { this.challenge = null; this.message = '' }}>${t('other')}</button></div>
          </form>`
        : html`<form @submit=${this.ask} novalidate>
            <label for="email">${t('email')}</label>
            <input id="email" type="email" autocomplete="email" required .value=${this.email}
              aria-describedby="message" aria-invalid=${this.message ? 'true' : 'false'}>
            <div class="row"><button ?disabled=${this.busy}>${t('send')}</button></div>
          </form>`}
      <p id="message" class="error" role="alert">${this.message}</p>`
  }
}
customElements.define('sw-sign-in', SignIn)
