// Sign-in and API keys: the account's sessions (sign out everywhere) and its
// keys for software (shown once on creation, revoked after a confirmation).
import { html, nothing } from 'lit'
import { Panel, copyText } from './panel.js'

export class AccessPanel extends Panel {
  static properties = { ...Panel.properties, sessions: { state: true }, keys: { state: true }, created: { state: true }, revoking: { state: true } }

  connectedCallback () {
    super.connectedCallback()
    this.load()
  }

  async load () {
    await this.act(async () => {
      this.sessions = (await this.api.get('/v1/auth/sessions')).sessions
      this.keys = (await this.api.get('/v1/api-keys')).api_keys
    }, null)
  }

  async createKey (event) {
    event.preventDefault()
    // Read before any await: once dispatch ends, event.target is the host.
    const form = event.target
    const name = form.querySelector('#key-name').value.trim()
    const key = await this.act(() => this.api.post('/v1/api-keys', { name }), null)
    if (!key) return
    this.created = key
    form.reset()
    await this.load()
    this.renderRoot.querySelector('#new-key')?.focus()
  }

  async revoke () {
    const key = this.revoking
    this.renderRoot.querySelector('dialog').close()
    await this.act(() => this.api.del(`/v1/api-keys/${encodeURIComponent(key.id)}`), this.t('saved'))
    if (this.created?.id === key.id) this.created = null
    await this.load()
  }

  askRevoke (key) {
    this.revoking = key
    this.updateComplete.then(() => this.renderRoot.querySelector('dialog').showModal())
  }

  async signOutEverywhere () {
    await this.act(() => this.api.del('/v1/auth/sessions'), null)
    dispatchEvent(new CustomEvent('sw-signed-out'))
  }

  render () {
    const t = this.t
    return html`
      <h2>${t('sessions')}</h2>
      <ul>${(this.sessions || []).map((s) => html`<li>${s.user_agent || t('unknownDevice')}
        ${s.current ? html`<b>(${t('thisDevice')})</b>` : nothing} — ${t('lastSeen', { when: this.when(s.last_seen_at) })}</li>`)}</ul>
      <button class="secondary" @click=${this.signOutEverywhere}>${t('signOutAll')}</button>

      <h2>${t('apiKeys')}</h2>
      <p class="hint">${t('apiKeysHint')}</p>
      ${this.created ? html`<div class="card" role="status"><p>${t('newKey')}</p>
        <p><input id="new-key" readonly aria-label=${t('newKey')} class="wide mono" .value=${this.created.key} @focus=${(e) => e.target.select()}></p>
        <button class="secondary" @click=${() => copyText(this, this.created.key)}>${t('copy')}</button></div>` : nothing}
      ${this.keys?.length
        ? html`<ul>${this.keys.map((k) => html`<li class="row"><span>${k.name} — ${k.last_used_at ? t('lastUsed', { when: this.when(k.last_used_at) }) : t('neverUsed')}</span>
            <button class="secondary" @click=${() => this.askRevoke(k)} aria-label=${`${t('revokeKey')}: ${k.name}`}>${t('revokeKey')}</button></li>`)}</ul>`
        : html`<p>${t('noKeys')}</p>`}
      <form @submit=${this.createKey} novalidate class="row">
        <label for="key-name">${t('keyName')}</label>
        <input id="key-name" required maxlength="100" aria-invalid=${this.invalid('/name')} aria-describedby="key-name-error">
        <button ?disabled=${this.busy}>${t('createKey')}</button>
      </form>
      ${this.fieldError('/name', 'key-name-error')}
      ${this.generalError('/name')}
      <dialog aria-labelledby="revoke-text">
        <p id="revoke-text">${this.revoking ? t('revokeConfirm', { name: this.revoking.name }) : ''}</p>
        <div class="row"><button class="danger" @click=${this.revoke}>${t('revokeKey')}</button>
        <button class="secondary" @click=${() => this.renderRoot.querySelector('dialog').close()}>${t('cancel')}</button></div>
      </dialog>`
  }
}
customElements.define('sw-settings-access', AccessPanel)
