// Notifications: which events reach the provider by which channel, and how
// clients are told (the provider document's `notifications`, api.md part 2).
import { html } from 'lit'
import { Panel } from './panel.js'
import './push.js'

const events = ['booking.created', 'booking.confirmed', 'booking.declined', 'booking.cancelled', 'booking.rescheduled', 'booking.expired', 'booking.completed', 'booking.no_show']
const providerChannels = ['email', 'sms', 'whatsapp', 'push']
const clientChannels = ['email', 'sms', 'whatsapp']

export class NotificationsPanel extends Panel {
  async save (event) {
    event.preventDefault()
    const form = event.target
    const checked = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value)
    const text = (id) => form.querySelector('#' + id).value.trim() || null
    const notifications = {
      provider_email: text('provider_email'),
      provider_phone: text('provider_phone'),
      provider: Object.fromEntries(providerChannels.map((c) => [c, checked('provider-' + c)])),
      client: checked('client'),
    }
    await this.act(() => this.saveProvider({ ...this.provider, notifications }))
  }

  render () {
    const t = this.t
    const n = this.provider.notifications || {}
    const on = (channel, ev) => (n.provider?.[channel] || []).includes(ev)
    return html`<form @submit=${this.save} novalidate>
      <label for="provider_email">${t('providerEmail')}</label>
      <p class="hint" id="provider_email-hint">${t('providerEmailHint')}</p>
      <input id="provider_email" type="email" autocomplete="email" class="wide" .value=${n.provider_email || ''}
        aria-invalid=${this.invalid('/notifications/provider_email')} aria-describedby="provider_email-hint provider_email-error">
      ${this.fieldError('/notifications/provider_email', 'provider_email-error')}
      <label for="provider_phone">${t('providerPhone')}</label>
      <input id="provider_phone" type="tel" autocomplete="tel" .value=${n.provider_phone || ''}
        aria-invalid=${this.invalid('/notifications/provider_phone')} aria-describedby="provider_phone-error">
      ${this.fieldError('/notifications/provider_phone', 'provider_phone-error')}
      <h2 id="tell-me">${t('tellMe')}</h2>
      <div class="scroll-x"><table aria-labelledby="tell-me">
        <thead><tr><th scope="col">${t('event')}</th>${providerChannels.map((c) => html`<th scope="col">${t(c)}</th>`)}</tr></thead>
        <tbody>${events.map((ev) => html`<tr><th scope="row">${t(ev)}</th>${providerChannels.map((c) => html`
          <td><input type="checkbox" name=${'provider-' + c} value=${ev} ?checked=${on(c, ev)} aria-label=${`${t(ev)}: ${t(c)}`}></td>`)}</tr>`)}
        </tbody></table></div>
      ${this.fieldError('/notifications/provider', 'provider-error')}
      <fieldset><legend>${t('tellClients')}</legend>
        ${clientChannels.map((c) => html`<p class="row"><input type="checkbox" id=${'client-' + c} name="client" value=${c} ?checked=${(n.client || []).includes(c)}>
          <label for=${'client-' + c} class="inline">${t(c)}</label></p>`)}
        <p class="hint">${t('clientHint')}</p>
      </fieldset>
      ${this.generalError('/notifications')}
      <p><button ?disabled=${this.busy}>${this.busy ? t('saving') : t('save')}</button></p>
    </form>
    <sw-settings-push .api=${this.api} locale=${this.locale}></sw-settings-push>`
  }
}
customElements.define('sw-settings-notifications', NotificationsPanel)
