// Settings at /app/settings/<panel>: profile, notifications, calendars,
// payments (Stripe keys), webhooks, sign-in and API keys; each panel its own element
// (screens/settings/*), all of them speaking only the provider API.
import { html, css, nothing } from 'lit'
import { html as staticHtml, unsafeStatic } from 'lit/static-html.js'
import { ScreenElement, baseStyles } from '../ui.js'
import { hrefOf } from '../router.js'
import { translator } from '../i18n.js'
import { strings } from './settings/strings.js'
import './settings/profile.js'
import './settings/notifications.js'
import './settings/calendars.js'
import './settings/webhooks.js'
import './settings/payments.js'
import './settings/access.js'

const panels = ['profile', 'notifications', 'calendars', 'payments', 'webhooks', 'access']
const panelTags = Object.fromEntries(panels.map((p) => [p, unsafeStatic(`sw-settings-${p}`)]))

export class SettingsScreen extends ScreenElement {
  static styles = [baseStyles, css`
    nav ul { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap; gap: .25rem; }
    nav a { display: inline-block; padding: .35rem .6rem; border-radius: 6px; }
    nav a[aria-current=page] { background: #e4ebfb; font-weight: 600; }
  `]

  render () {
    const t = translator(strings, this.locale)
    const current = panels.includes(this.route?.params?.[0]) ? this.route.params[0] : 'profile'
    const tag = panelTags[current]
    const panel = staticHtml`<${tag} .api=${this.api} .provider=${this.provider} provider-id=${this.providerId} .me=${this.me} locale=${this.locale}></${tag}>`
    return html`
      <h1 tabindex="-1">${t('title')}: ${t(current)}</h1>
      <nav aria-label=${t('sections')}><ul>${panels.map((p) => html`<li><a href=${hrefOf('settings', p)} aria-current=${p === current ? 'page' : nothing}>${t(p)}</a></li>`)}</ul></nav>
      ${panel}`
  }
}
customElements.define('sw-screen-settings', SettingsScreen)
