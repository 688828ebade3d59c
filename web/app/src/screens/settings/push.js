// Push notifications on this browser: a service worker (/app/push-worker.js)
// and a subscription with the server's VAPID key, registered through
// POST /v1/me/push-subscriptions; the account's other devices listed.
import { html, nothing } from 'lit'
import { Panel } from './panel.js'

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window

export class PushPanel extends Panel {
  static properties = { ...Panel.properties, subscriptions: { state: true }, mine: { state: true } }

  connectedCallback () {
    super.connectedCallback()
    this.load()
  }

  async registration () {
    return navigator.serviceWorker.register('/app/push-worker.js', { scope: '/app/' })
  }

  async load () {
    await this.act(async () => {
      this.subscriptions = (await this.api.get('/v1/me/push-subscriptions')).subscriptions
      if (!supported()) return
      const reg = await navigator.serviceWorker.getRegistration('/app/')
      const sub = reg && await reg.pushManager.getSubscription()
      this.mine = sub ? this.subscriptions.find((s) => s.endpoint === sub.endpoint) || null : null
    }, null)
  }

  async turnOn () {
    await this.act(async () => {
      if (await Notification.requestPermission() !== 'granted') throw Object.assign(new Error(this.t('pushDenied')), { code: 'PERMISSION_DENIED' })
      const { public_key: key } = await this.api.get('/v1/push/vapid-public-key')
      const reg = await this.registration()
      await navigator.serviceWorker.ready
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key })
      await this.api.post('/v1/me/push-subscriptions', sub.toJSON())
    }, this.t('pushOn'))
    await this.load()
  }

  async turnOff (subscription) {
    await this.act(async () => {
      await this.api.del(`/v1/me/push-subscriptions/${encodeURIComponent(subscription.id)}`)
      if (subscription === this.mine) {
        const reg = await navigator.serviceWorker.getRegistration('/app/')
        await (await reg?.pushManager.getSubscription())?.unsubscribe()
      }
    }, this.t('pushOff'))
    await this.load()
  }

  render () {
    const t = this.t
    return html`
      <h2>${t('push')}</h2>
      <p class="hint">${t('pushHint')}</p>
      ${!supported() ? html`<p>${t('pushUnsupported')}</p>`
        : this.mine ? html`<p>${t('pushThisDevice')}</p><button class="secondary" @click=${() => this.turnOff(this.mine)}>${t('pushTurnOff')}</button>`
        : html`<button class="secondary" ?disabled=${this.busy} @click=${this.turnOn}>${t('pushTurnOn')}</button>`}
      ${(this.subscriptions || []).filter((s) => s !== this.mine).length ? html`<p>${t('pushOthers')}</p><ul>
        ${this.subscriptions.filter((s) => s !== this.mine).map((s) => html`<li class="row"><span class="break">${new URL(s.endpoint).host} — ${this.when(s.created_at)}</span>
          <button class="secondary" @click=${() => this.turnOff(s)} aria-label=${`${t('remove')}: ${new URL(s.endpoint).host}`}>${t('remove')}</button></li>`)}
      </ul>` : nothing}
      ${this.generalError()}`
  }
}
customElements.define('sw-settings-push', PushPanel)
