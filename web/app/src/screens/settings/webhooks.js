// Webhooks: the provider's endpoints (Standard Webhooks; the secret shown
// once), their recent deliveries, sending one again, turning one off.
import { html, nothing } from 'lit'
import { Panel, copyText } from './panel.js'
import { providerPath } from '../../api.js'

const events = ['booking.created', 'booking.confirmed', 'booking.declined', 'booking.cancelled', 'booking.rescheduled', 'booking.expired', 'booking.completed', 'booking.no_show']

export class WebhooksPanel extends Panel {
  static properties = { ...Panel.properties, hooks: { state: true }, created: { state: true }, deliveries: { state: true } }

  constructor () {
    super()
    this.deliveries = {}
  }

  connectedCallback () {
    super.connectedCallback()
    this.load()
  }

  path (...rest) { return providerPath(this.providerId, 'webhooks', ...rest.map(encodeURIComponent)) }

  async load () {
    await this.act(async () => { this.hooks = (await this.api.get(this.path())).webhooks }, null)
  }

  async create (event) {
    event.preventDefault()
    const form = event.target
    const chosen = [...form.querySelectorAll('input[name=event]:checked')].map((i) => i.value)
    const hook = await this.act(() => this.api.post(this.path(), { url: form.querySelector('#hook-url').value.trim(), events: chosen }), null)
    if (!hook) return
    this.created = hook
    form.reset()
    await this.load()
    this.renderRoot.querySelector('#secret')?.focus()
  }

  async setEnabled (hook, enabled) {
    await this.act(() => this.api.patch(this.path(hook.id), { enabled }))
    await this.load()
  }

  // Not `remove`: that is Element.remove(), which Lit calls to take the panel out.
  async removeHook (hook) {
    await this.act(() => this.api.del(this.path(hook.id)))
    await this.load()
  }

  async showDeliveries (hook) {
    const answer = await this.act(() => this.api.get(this.path(hook.id, 'deliveries')), null)
    if (answer) this.deliveries = { ...this.deliveries, [hook.id]: answer.deliveries }
  }

  async redeliver (hook, delivery) {
    await this.act(() => this.api.post(this.path(hook.id, 'deliveries', delivery.id, 'redeliver')))
    await this.showDeliveries(hook)
  }

  render () {
    const t = this.t
    return html`
      ${this.created ? html`<div class="card" role="status"><p>${t('secret')}</p>
        <p><input id="secret" readonly aria-label=${t('secret')} class="wide mono" .value=${this.created.secret} @focus=${(e) => e.target.select()}></p>
        <button class="secondary" @click=${() => copyText(this, this.created.secret)}>${t('copy')}</button></div>` : nothing}
      ${this.hooks?.length ? this.hooks.map((h) => html`<div class="card">
          <p class="break"><b>${h.url}</b></p>
          <p class="hint">${h.events.map((e) => t(e)).join(', ')}</p>
          ${h.disabled_reason ? html`<p class="error">${t('disabledBecause', { reason: h.disabled_reason })}</p>` : nothing}
          <div class="row">
            <input type="checkbox" id=${'enabled-' + h.id} ?checked=${h.enabled} @change=${(e) => this.setEnabled(h, e.target.checked)}>
            <label for=${'enabled-' + h.id} class="inline">${t('enabled')}</label>
            <button class="secondary" @click=${() => this.showDeliveries(h)}>${t('deliveries')}</button>
            <button class="secondary" @click=${() => this.removeHook(h)} aria-label=${`${t('remove')}: ${h.url}`}>${t('remove')}</button>
          </div>
          ${this.deliveries[h.id] ? (this.deliveries[h.id].length
            ? html`<ul>${this.deliveries[h.id].map((d) => html`<li>${this.when(d.attempted_at)} — ${t(d.event_type)} — ${d.status ?? d.error}
                <button class="secondary" @click=${() => this.redeliver(h, d)}>${t('redeliver')}</button></li>`)}</ul>`
            : html`<p>${t('noDeliveries')}</p>`) : nothing}
        </div>`) : html`<p>${t('noHooks')}</p>`}
      <form @submit=${this.create} novalidate class="card">
        <label for="hook-url">${t('hookUrl')}</label>
        <input id="hook-url" type="url" inputmode="url" required class="wide" aria-invalid=${this.invalid('/url')} aria-describedby="hook-url-error">
        ${this.fieldError('/url', 'hook-url-error')}
        <fieldset><legend>${t('hookEvents')}</legend>
          ${events.map((e) => html`<p class="row"><input type="checkbox" name="event" id=${'ev-' + e} value=${e} checked>
            <label for=${'ev-' + e} class="inline">${t(e)}</label></p>`)}
        </fieldset>
        ${this.generalError('/url')}
        <p><button ?disabled=${this.busy}>${t('createHook')}</button></p>
      </form>`
  }
}
customElements.define('sw-settings-webhooks', WebhooksPanel)
