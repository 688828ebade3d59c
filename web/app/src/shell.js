// <sw-dashboard>: who is signed in, which provider is open, which screen is
// shown. Screens get what they need as properties and talk back with events
// that bubble out of their shadow roots: sw-provider-changed (the saved
// provider document), sw-provider-opened (a practice's id, to open it),
// sw-navigate (a path under /app/), sw-announce (a message for the live
// region), sw-signed-in (reload who is signed in and their practices).
import { LitElement, html, css, nothing } from 'lit'
import { html as staticHtml, unsafeStatic } from 'lit/static-html.js'
import { createProviderApi, providerPath } from './api.js'
import { BASE, hrefOf, interceptLinks, navigate, parseRoute } from './router.js'
import { dashboardLanguages, loadLanguage, pickLocale, rememberLocale, translator } from './i18n.js'
import { baseStyles } from './ui.js'
import { strings } from './shell.strings.js'

const languageNames = { en: 'English', de: 'Deutsch', fr: 'Français', es: 'Español' }

// The screens in the navigation, in order; 'home' shows the bookings.
const sections = ['bookings', 'availability', 'services', 'clients', 'embed', 'settings']
const screens = new Set([...sections, 'onboarding'])
const screenTags = Object.fromEntries([...screens].map((s) => [s, unsafeStatic(`sw-screen-${s}`)]))

export class Dashboard extends LitElement {
  static properties = {
    me: { state: true }, // undefined: loading; null: signed out; else GET /v1/me
    providerId: { state: true },
    provider: { state: true },
    route: { state: true },
    locale: { state: true },
    failure: { state: true },
    message: { state: true },
  }

  static styles = [baseStyles, css`
    :host { min-height: 100vh; background: #f6f7f9; }
    .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; z-index: 2; }
    .skip:focus { left: .5rem; }
    header { background: #fff; border-bottom: 1px solid #d6dae1; padding: .5rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
    header .brand { font-weight: 700; margin-inline-end: auto; }
    nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem; }
    nav a { display: inline-block; padding: .4rem .6rem; border-radius: 6px; text-decoration: none; color: #1b1f24; }
    nav a[aria-current=page] { background: #e4ebfb; color: #12338a; font-weight: 600; }
    main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
    header label { display: inline; margin: 0 .25rem 0 0; font-weight: 400; }
    header select { padding: .25rem; }
  `]

  constructor () {
    super()
    this.api = createProviderApi()
    this.route = parseRoute()
    this.locale = pickLocale()
    this.me = undefined
    this.message = ''
    this.lastFocusedRoute = null
  }

  get t () { return translator(strings, this.locale) }

  connectedCallback () {
    super.connectedCallback()
    interceptLinks(this, (route) => { this.route = route })
    addEventListener('sw-signed-out', () => { this.me = null; this.provider = null })
    this.addEventListener('sw-provider-changed', (e) => this.providerChanged(e.detail))
    this.addEventListener('sw-navigate', (e) => navigate(e.detail, (route) => { this.route = route }))
    this.addEventListener('sw-announce', (e) => { this.message = ''; requestAnimationFrame(() => { this.message = e.detail }) })
    this.addEventListener('sw-signed-in', () => this.load())
    // A practice made or chosen elsewhere (onboarding): open it by its id.
    this.addEventListener('sw-provider-opened', async (e) => {
      if (this.me && !this.me.providers.includes(e.detail)) this.me = { ...this.me, providers: [...this.me.providers, e.detail] }
      await this.openProvider(e.detail)
    })
    this.load()
  }

  async load () {
    this.failure = null
    try {
      const [me] = await Promise.all([this.api.get('/v1/me'), loadLanguage(this.locale)])
      this.me = me
    } catch (e) {
      if (e.status === 401) { await loadLanguage(this.locale); this.me = null; return }
      this.failure = e
      return
    }
    const ids = this.me.providers || []
    const wanted = this.route.query.get('provider') || localStorage.getItem('slotwise-dashboard-provider')
    this.providerId = ids.includes(wanted) ? wanted : ids[0] || null
    if (!this.providerId) {
      this.provider = null
      if (this.route.name !== 'onboarding') navigate(hrefOf('onboarding'), (r) => { this.route = r }, { replace: true })
      return
    }
    await this.openProvider(this.providerId)
  }

  async openProvider (id) {
    try {
      this.provider = await this.api.get(providerPath(id))
      this.providerId = id
      localStorage.setItem('slotwise-dashboard-provider', id)
    } catch (e) {
      this.failure = e
    }
  }

  // The saved document of the open practice (ScreenElement.saveProvider).
  providerChanged (doc) {
    this.provider = doc
  }

  async signOut () {
    await this.api.del('/v1/auth/session').catch(() => {})
    this.me = null
    this.provider = null
    navigate(BASE, (r) => { this.route = r })
  }

  async setLocale (locale) {
    await loadLanguage(locale)
    this.locale = locale
    rememberLocale(locale)
  }

  updated (changed) {
    document.documentElement.lang = this.locale
    // Focus moves to the new screen's heading on every change of screen,
    // so a screen reader announces where the person now is.
    const key = this.me === null ? 'sign-in' : `${this.route.name}/${this.route.params.join('/')}`
    if (this.me !== undefined && key !== this.lastFocusedRoute && (changed.has('route') || changed.has('me') || changed.has('provider'))) {
      const screen = this.renderRoot.querySelector('main > *')
      if (!screen) return
      this.lastFocusedRoute = key
      Promise.resolve(screen.updateComplete).then(() => {
        const h1 = screen.shadowRoot?.querySelector('h1')
        if (h1) { h1.focus(); document.title = `${h1.textContent} · Slotwise` }
      })
    }
  }

  screen () {
    const name = this.route.name === 'home' ? 'bookings' : this.route.name
    if (!screens.has(name)) return html`<div><h1 tabindex="-1">${this.t('notFound')}</h1></div>`
    // Without a practice every screen is the onboarding.
    const tag = screenTags[this.provider ? name : 'onboarding']
    return staticHtml`<${tag} .api=${this.api} .provider=${this.provider} provider-id=${this.providerId || ''}
      .route=${this.route} .me=${this.me} locale=${this.locale}></${tag}>`
  }

  render () {
    const t = this.t
    const current = this.route.name === 'home' ? 'bookings' : this.route.name
    const languages = html`<label for="language">${t('language')}</label>
      <select id="language" @change=${(e) => this.setLocale(e.target.value)}>
        ${dashboardLanguages.map((l) => html`<option value=${l} ?selected=${l === this.locale}>${languageNames[l]}</option>`)}
      </select>`
    if (this.failure) {
      return html`<main><div role="alert"><p>${t('failed', { code: this.failure.code })}</p><button @click=${() => this.load()}>${t('retry')}</button></div></main>`
    }
    if (this.me === undefined) return html`<main><p role="status">${t('loading')}</p></main>`
    if (this.me === null) {
      return html`<header><span class="brand">Slotwise</span>${languages}</header>
        <main id="main"><sw-sign-in .api=${this.api} locale=${this.locale}></sw-sign-in></main>
        <div class="visually-hidden" role="status" aria-live="polite">${this.message}</div>`
    }
    const providers = this.me.providers || []
    return html`
      <a class="skip" href="#main" @click=${(e) => { e.preventDefault(); this.renderRoot.querySelector('main > *')?.shadowRoot?.querySelector('h1')?.focus() }}>${t('skip')}</a>
      <header>
        <span class="brand">Slotwise</span>
        ${this.provider ? html`<nav aria-label=${t('nav')}><ul>
          ${sections.map((s) => html`<li><a href=${hrefOf(s)} aria-current=${current === s ? 'page' : nothing}>${t(s)}</a></li>`)}
        </ul></nav>` : nothing}
        ${providers.length > 1 ? html`<label for="provider">${t('provider')}</label>
          <select id="provider" @change=${(e) => this.openProvider(e.target.value)}>
            ${providers.map((id) => html`<option ?selected=${id === this.providerId}>${id}</option>`)}
          </select>` : nothing}
        ${this.provider ? html`<a href=${hrefOf('onboarding')}>${t('addPractice')}</a>` : nothing}
        ${languages}
        <button class="secondary" @click=${() => this.signOut()}>${t('signOut')}</button>
      </header>
      <main id="main">${this.screen()}</main>
      <div class="visually-hidden" role="status" aria-live="polite">${this.message}</div>`
  }
}
customElements.define('sw-dashboard', Dashboard)
