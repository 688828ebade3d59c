// Payments: whose Stripe account takes the practice's payments (its own,
// the operator's, or none), the practice's own keys entered (checked by the
// server with Stripe before they are kept; the secret key is never shown
// again), the webhook address to paste into Stripe's dashboard with the
// events to choose there, and removing the keys (the operator's account,
// if any, applies again).
import { html, nothing } from 'lit'
import { Panel, copyText } from './panel.js'
import { providerPath } from '../../api.js'

// What the server acts on (domain/payments.cpp): choose these in Stripe.
const stripeEvents = ['payment_intent.succeeded', 'payment_intent.payment_failed', 'payment_intent.canceled', 'charge.refunded',
  'charge.refund.updated', 'refund.created', 'refund.updated', 'refund.failed']

export class PaymentsPanel extends Panel {
  static properties = { ...Panel.properties, account: { state: true } }

  connectedCallback () {
    super.connectedCallback()
    this.load()
  }

  get path () { return providerPath(this.providerId, 'stripe') }

  async load () {
    await this.act(async () => { this.account = await this.api.get(this.path) }, null)
  }

  async save (event) {
    event.preventDefault()
    const form = event.target
    const value = (id) => form.querySelector(id).value.trim()
    const body = { secret_key: value('#secret_key'), publishable_key: value('#publishable_key') }
    if (value('#webhook_secret')) body.webhook_secret = value('#webhook_secret')
    const saved = await this.act(() => this.api.put(this.path, body))
    if (!saved) {
      await this.updateComplete
      this.renderRoot.querySelector('[aria-invalid=true]')?.focus()
      return
    }
    this.account = saved
    // The secrets leave the page: they are never shown again.
    form.reset()
    await this.updateComplete
    this.renderRoot.querySelector('#pay-source')?.focus()
  }

  async removeKeys () {
    await this.act(() => this.api.del(this.path), this.t('payRemoved'))
    await this.load()
  }

  renderSource () {
    const t = this.t
    const a = this.account
    if (!a) return nothing
    const mode = a.livemode === undefined ? '' : t(a.livemode ? 'payLive' : 'payTest')
    const text = a.source === 'provider' ? t('paySourceOwn', { mode, last4: a.secret_key_last4 })
      : a.source === 'operator' ? t('paySourceOperator', { mode }) : t('paySourceNone')
    return html`<div class="card">
      <p id="pay-source" tabindex="-1" data-source=${a.source}><b>${text}</b></p>
      ${a.publishable_key ? html`<p class="break hint">${t('payPublishable')}: <span class="mono">${a.publishable_key}</span></p>` : nothing}
      ${a.source !== 'none' ? html`<p class="hint">${t(a.webhook_secret_set ? 'payHookSet' : 'payHookMissing')}</p>` : nothing}
      ${a.source === 'provider' ? html`<p><button class="secondary" id="pay-remove" @click=${this.removeKeys} ?disabled=${this.busy}>${t('payRemove')}</button></p>` : nothing}
    </div>`
  }

  render () {
    const t = this.t
    const a = this.account
    const field = (id, label, hint, type = 'password') => html`
      <label for=${id}>${label}</label>
      ${hint ? html`<p class="hint" id=${id + '-hint'}>${hint}</p>` : nothing}
      <input id=${id} type=${type} class="wide mono" autocomplete="off" spellcheck="false" aria-invalid=${this.invalid('/' + id)}
        aria-describedby=${[hint ? id + '-hint' : '', id + '-error'].filter(Boolean).join(' ')}>
      ${this.fieldError('/' + id, id + '-error')}`
    return html`
      ${this.renderSource()}
      ${a ? html`<div class="card">
        <p>${t('payHookHow')}</p>
        <p><input id="pay-hook-url" readonly class="wide mono" aria-label=${t('payHookUrl')} .value=${a.webhook_url} @focus=${(e) => e.target.select()}></p>
        <p><button class="secondary" @click=${() => copyText(this, a.webhook_url)}>${t('copy')}</button></p>
        <p>${t('payEvents')}</p>
        <ul id="pay-events">${stripeEvents.map((e) => html`<li class="mono break">${e}</li>`)}</ul>
      </div>` : nothing}
      <form @submit=${this.save} novalidate class="card" autocomplete="off">
        <h2>${t(a?.source === 'provider' ? 'payReplace' : 'payEnter')}</h2>
        <p class="hint">${t('payKeysHint')}</p>
        ${field('secret_key', t('paySecret'), t('paySecretHint'))}
        ${field('publishable_key', t('payPublishable'), '', 'text')}
        ${field('webhook_secret', t('payHookSecret'), t('payHookSecretHint'))}
        ${this.generalError('/secret_key', '/publishable_key', '/webhook_secret')}
        <p><button id="pay-save" ?disabled=${this.busy}>${this.busy ? t('payChecking') : t('paySave')}</button></p>
      </form>`
  }
}
customElements.define('sw-settings-payments', PaymentsPanel)
