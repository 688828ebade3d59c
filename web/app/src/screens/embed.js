// The embed screen: the widget's variants (inline, popup button, link to the
// booking page) with their options, the real widget as the preview (the
// server's /widget.js loaded into this page, the <slotwise-booking> element
// placed here with the same attributes the snippet gives it), and the
// snippet to copy.
import { html, css, nothing } from 'lit'
import { ScreenElement, baseStyles } from '../ui.js'
import { translator } from '../i18n.js'
import { strings } from './embed/strings.js'
import { LOCALES, THEMES, VARIANTS, WEEK_STARTS, bookingLink, optionsFromQuery, previewAttributes, queryOf, snippetFor, validBrand } from './embed/model.js'
import { copyText, snippetBox, snippetStyles } from './embed/snippet.js'

const localeNames = { en: 'English', de: 'Deutsch', fr: 'Français', es: 'Español', ar: 'العربية' }

// One /widget.js per page, shared by every visit to this screen.
function loadWidget () {
  const slotwise = (window.Slotwise ||= {})
  if (slotwise.ready) return slotwise.ready
  if (!slotwise.dashboardLoading) {
    slotwise.dashboardLoading = new Promise((resolve, reject) => {
      const el = document.createElement('script')
      el.src = '/widget.js'
      el.async = true
      el.onload = () => (window.Slotwise.ready ? window.Slotwise.ready.then(resolve, reject) : reject(new Error('no widget')))
      el.onerror = () => { slotwise.dashboardLoading = null; reject(new Error('widget.js could not be loaded')) }
      document.head.append(el)
    })
  }
  return slotwise.dashboardLoading
}

export class EmbedScreen extends ScreenElement {
  static properties = {
    options: { state: true },
    brandText: { state: true },
    widget: { state: true }, // 'loading' | 'ready' | 'failed'
    copyStatus: { state: true },
  }

  static styles = [baseStyles, snippetStyles, css`
    .layout { display: grid; gap: 1rem; grid-template-columns: minmax(0, 22rem) minmax(0, 1fr); align-items: start; }
    @media (max-width: 900px) { .layout { grid-template-columns: minmax(0, 1fr); } }
    fieldset { border: 0; padding: 0; margin: .75rem 0 0; }
    legend { font-weight: 600; padding: 0; margin-bottom: .25rem; }
    fieldset label { display: flex; gap: .4rem; align-items: center; font-weight: 400; margin: .2rem 0; }
    select, input[type=text] { width: 100%; }
    .brand { display: flex; gap: .5rem; align-items: center; }
    .brand input[type=color] { width: 3rem; height: 2.5rem; padding: .1rem; flex: none; }
    .preview { min-height: 12rem; }
    .link { overflow-wrap: anywhere; }
  `]

  constructor () {
    super()
    this.options = null
    this.brandText = ''
    this.widget = 'loading'
    this.copyStatus = ''
  }

  get t () { return translator(strings, this.locale) }

  connectedCallback () {
    super.connectedCallback()
    loadWidget().then(() => { this.widget = 'ready' }, () => { this.widget = 'failed' })
  }

  willUpdate () {
    if (!this.options) {
      this.options = optionsFromQuery(this.route?.query)
      this.brandText = this.options.brandColor
    }
  }

  set (patch) {
    this.options = { ...this.options, ...patch }
    this.copyStatus = ''
    // The choice in the address bar (replaced, not pushed: Back leaves the
    // screen rather than undoing one option at a time).
    const query = queryOf(this.options)
    history.replaceState(history.state, '', location.pathname + (query ? `?${query}` : ''))
  }

  setBrand (value, fromPicker) {
    this.brandText = value
    if (validBrand(value)) this.set({ brandColor: value.toLowerCase() })
    if (fromPicker) this.brandText = value.toLowerCase()
  }

  get services () {
    return (this.provider?.services || []).filter((s) => s.active !== false)
  }

  get snippet () {
    return snippetFor(location.origin, this.providerId, { ...this.options, linkText: this.t('linkText') })
  }

  optionsForm () {
    const t = this.t
    const o = this.options
    const brandBad = !validBrand(this.brandText)
    return html`<section class="card" aria-labelledby="options-title">
      <h2 id="options-title">${t('options')}</h2>
      <fieldset>
        <legend>${t('variant')}</legend>
        ${VARIANTS.map((v) => html`<label><input type="radio" name="variant" id=${`variant-${v}`} value=${v} .checked=${o.variant === v}
          @change=${() => this.set({ variant: v })}>${t(v)}</label>`)}
      </fieldset>
      <label for="service">${t('service')}</label>
      <select id="service" @change=${(e) => this.set({ service: e.target.value })}>
        <option value="" ?selected=${!o.service}>${t('allServices')}</option>
        ${this.services.map((s) => html`<option value=${s.id} ?selected=${o.service === s.id}>${s.name}</option>`)}
      </select>
      <label for="locale">${t('locale')}</label>
      <select id="locale" @change=${(e) => this.set({ locale: e.target.value })}>
        ${LOCALES.map((l) => html`<option value=${l} ?selected=${o.locale === l}>${l ? localeNames[l] : t('browserLocale')}</option>`)}
      </select>
      <label for="theme">${t('theme')}</label>
      <select id="theme" @change=${(e) => this.set({ theme: e.target.value })}>
        ${THEMES.map((th) => html`<option value=${th} ?selected=${o.theme === th}>${t(th)}</option>`)}
      </select>
      <label for="brand-hex">${t('brandHex')}</label>
      <p class="hint" id="brand-hint">${t('brandHint')}</p>
      <div class="brand">
        <input type="color" id="brand" aria-label=${t('brand')} .value=${o.brandColor} @input=${(e) => this.setBrand(e.target.value, true)}>
        <input type="text" id="brand-hex" .value=${this.brandText} spellcheck="false" autocapitalize="off"
          aria-invalid=${brandBad ? 'true' : nothing} aria-describedby=${brandBad ? 'brand-hint brand-error' : 'brand-hint'}
          @input=${(e) => this.setBrand(e.target.value.trim(), false)}>
      </div>
      ${brandBad ? html`<p class="error" id="brand-error">${t('brandError')}</p>` : nothing}
      <label for="week-start">${t('weekStart')}</label>
      <select id="week-start" @change=${(e) => this.set({ weekStart: e.target.value })}>
        ${WEEK_STARTS.map((w) => html`<option value=${w} ?selected=${o.weekStart === w}>${w ? this.weekdayName(w) : t('localeWeek')}</option>`)}
      </select>
      ${o.variant === 'popup' ? html`
        <label for="button-label">${t('buttonLabel')}</label>
        <p class="hint" id="button-hint">${t('buttonHint')}</p>
        <input type="text" id="button-label" maxlength="80" aria-describedby="button-hint" .value=${o.buttonLabel}
          @input=${(e) => this.set({ buttonLabel: e.target.value })}>` : nothing}
    </section>`
  }

  weekdayName (w) {
    const i = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(w)
    return new Intl.DateTimeFormat(this.locale, { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + i))
  }

  preview () {
    const t = this.t
    if (this.widget === 'loading') return html`<p role="status">${t('loading')}</p>`
    if (this.widget === 'failed') return html`<p role="alert">${t('failed')}</p>`
    const a = previewAttributes(this.providerId, this.options, location.origin + '/')
    // Lit sets and removes each attribute; the widget applies a change live
    // (web/src/options.js says how), as it would on the provider's page.
    return html`<slotwise-booking provider=${a.provider} api=${a.api} service=${a.service ?? nothing} mode=${a.mode ?? nothing}
      locale=${a.locale ?? nothing} theme=${a.theme ?? nothing} brand-color=${a['brand-color'] ?? nothing}
      week-start=${a['week-start'] ?? nothing} button-label=${a['button-label'] ?? nothing}></slotwise-booking>`
  }

  render () {
    const t = this.t
    if (!this.provider) return html`<h1 tabindex="-1">${t('title')}</h1>`
    const link = this.options.variant === 'link' ? bookingLink(location.origin, this.providerId, this.options) : ''
    return html`
      <h1 tabindex="-1">${t('title')}</h1>
      <p>${t('intro')}</p>
      ${this.services.length ? nothing : html`<p class="error">${t('noService')}</p>`}
      <div class="layout">
        ${this.optionsForm()}
        <div>
          <section class="card" aria-labelledby="snippet-title">
            <h2 id="snippet-title">${t('snippet')}</h2>
            <p class="hint">${link ? t('linkHint') : t('snippetHint')}</p>
            ${snippetBox({ t, text: this.snippet, status: this.copyStatus, onCopy: async (field) => { this.copyStatus = (await copyText(this.snippet, field)) ? 'ok' : 'failed' } })}
            ${link ? html`<p class="link"><a href=${link} target="_blank" rel="noopener">${t('openLink')}</a></p>` : nothing}
          </section>
          <section class="card preview" aria-labelledby="preview-title">
            <h2 id="preview-title">${t('preview')}</h2>
            <p class="hint">${t('previewHint')}</p>
            ${this.preview()}
          </section>
        </div>
      </div>`
  }
}
customElements.define('sw-screen-embed', EmbedScreen)
