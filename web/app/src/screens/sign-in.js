// Sign-in inside the dashboard: the address, then the 8-digit code from the
// mail (api.md "Accounts"). The mail's link opens /app/sign-in/ instead,
// which signs in on a click and leads back here.
import { html } from 'lit'
import { ScreenElement, baseStyles, emit } from '../ui.js'
import { translator } from '../i18n.js'

const strings = {
  en: {
    title: 'Sign in to Slotwise', email: 'Email address', send: 'Send me a code', code: '8-digit code',
    sent: 'We sent a code to {email}. It works for 15 minutes.', signIn: 'Sign in', other: 'Use another address',
    needEmail: 'Enter your email address.', eightDigits: 'The code has 8 digits.',
    INVALID_CODE: 'That code is not right. Check the mail and try again.',
    CHALLENGE_EXPIRED: 'This code can no longer be used. Ask for a new one.',
    RATE_LIMITED: 'Too many codes were asked for. Try again in a minute.',
    failed: 'Something went wrong ({code}). Try again.',
  },
  de: {
    title: 'Bei Slotwise anmelden', email: 'E-Mail-Adresse', send: 'Code senden', code: '8-stelliger Code',
    sent: 'Wir haben einen Code an {email} geschickt. Er gilt 15 Minuten.', signIn: 'Anmelden', other: 'Andere Adresse verwenden',
    needEmail: 'Geben Sie Ihre E-Mail-Adresse ein.', eightDigits: 'Der Code hat 8 Ziffern.',
    INVALID_CODE: 'Der Code stimmt nicht. Prüfen Sie die E-Mail und versuchen Sie es erneut.',
    CHALLENGE_EXPIRED: 'Dieser Code gilt nicht mehr. Fordern Sie einen neuen an.',
    RATE_LIMITED: 'Zu viele Codes angefordert. Versuchen Sie es in einer Minute erneut.',
    failed: 'Etwas ist schiefgegangen ({code}). Versuchen Sie es erneut.',
  },
  fr: {
    title: 'Se connecter à Slotwise', email: 'Adresse e-mail', send: 'Recevoir un code', code: 'Code à 8 chiffres',
    sent: 'Nous avons envoyé un code à {email}. Il est valable 15 minutes.', signIn: 'Se connecter', other: 'Utiliser une autre adresse',
    needEmail: 'Saisissez votre adresse e-mail.', eightDigits: 'Le code a 8 chiffres.',
    INVALID_CODE: 'Ce code est incorrect. Vérifiez l’e-mail et réessayez.',
    CHALLENGE_EXPIRED: 'Ce code n’est plus valable. Demandez-en un nouveau.',
    RATE_LIMITED: 'Trop de codes demandés. Réessayez dans une minute.',
    failed: 'Une erreur est survenue ({code}). Réessayez.',
  },
  es: {
    title: 'Iniciar sesión en Slotwise', email: 'Correo electrónico', send: 'Enviarme un código', code: 'Código de 8 dígitos',
    sent: 'Hemos enviado un código a {email}. Vale 15 minutos.', signIn: 'Iniciar sesión', other: 'Usar otra dirección',
    needEmail: 'Introduce tu correo electrónico.', eightDigits: 'El código tiene 8 dígitos.',
    INVALID_CODE: 'El código no es correcto. Revisa el correo e inténtalo de nuevo.',
    CHALLENGE_EXPIRED: 'Este código ya no sirve. Pide uno nuevo.',
    RATE_LIMITED: 'Se han pedido demasiados códigos. Inténtalo dentro de un minuto.',
    failed: 'Algo ha fallado ({code}). Inténtalo de nuevo.',
  },
}

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
