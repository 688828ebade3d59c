// Settings at /app/settings/<panel>: profile, notifications, calendars,
// webhooks, sign-in and API keys; each panel its own element
// (screens/settings/*), all of them speaking only the provider API.
import { html, css, nothing } from 'lit'
import { ScreenElement, baseStyles } from '../ui.js'
import { hrefOf } from '../router.js'
import { translator } from '../i18n.js'
import { strings } from './settings/strings.js'
import './settings/profile.js'
import './settings/notifications.js'
import './settings/calendars.js'
import './settings/webhooks.js'
import './settings/access.js'

const panels = ['profile', 'notifications', 'calendars', 'webhooks', 'access']

export class SettingsScreen extends ScreenElement {
  static styles = [baseStyles, css`
    nav ul { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap; gap: .25rem; }
    nav a { display: inline-block; padding: .35rem .6rem; border-radius: 6px; }
    nav a[aria-current=page] { background: #e4ebfb; font-weight: 600; }
  `]

  render () {
    const t = translator(strings, this.locale)
    const current = panels.includes(this.route?.params?.[0]) ? this.route.params[0] : 'profile'
    const common = { api: this.api, provider: this.provider, providerId: this.providerId, locale: this.locale, me: this.me }
    const panel = {
      profile: html`<sw-settings-profile .api=${common.api} .provider=${common.provider} provider-id=${common.providerId} locale=${common.locale}></sw-settings-profile>`,
      notifications: html`<sw-settings-notifications .api=${common.api} .provider=${common.provider} provider-id=${common.providerId} locale=${common.locale}></sw-settings-notifications>`,
      calendars: html`<sw-settings-calendars .api=${common.api} .provider=${common.provider} provider-id=${common.providerId} locale=${common.locale}></sw-settings-calendars>`,
      webhooks: html`<sw-settings-webhooks .api=${common.api} .provider=${common.provider} provider-id=${common.providerId} locale=${common.locale}></sw-settings-webhooks>`,
      access: html`<sw-settings-access .api=${common.api} .me=${common.me} locale=${common.locale}></sw-settings-access>`,
    }[current]
    return html`
      <h1 tabindex="-1">${t('title')}: ${t(current)}</h1>
      <nav aria-label=${t('sections')}><ul>${panels.map((p) => html`<li><a href=${hrefOf('settings', p)} aria-current=${p === current ? 'page' : nothing}>${t(p)}</a></li>`)}</ul></nav>
      ${panel}`
  }
}
customElements.define('sw-screen-settings', SettingsScreen)
