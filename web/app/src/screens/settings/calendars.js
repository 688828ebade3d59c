// Calendars (api.md "Calendars"): the secret feed, and connected calendars —
// which of them block slots, which one receives bookings, their last sync
// and any problem.
import { html, nothing } from 'lit'
import { Panel, copyText } from './panel.js'
import { providerPath } from '../../api.js'

export class CalendarsPanel extends Panel {
  static properties = { ...Panel.properties, connections: { state: true }, feedUrl: { state: true } }

  connectedCallback () {
    super.connectedCallback()
    this.load()
  }

  path (...rest) { return providerPath(this.providerId, 'calendars', ...rest.map(encodeURIComponent)) }

  async load () {
    await this.act(async () => { this.connections = (await this.api.get(this.path())).connections }, null)
  }

  async makeFeed () {
    const answer = await this.act(() => this.api.post(providerPath(this.providerId, 'calendar-feed')), null)
    if (answer) this.feedUrl = answer.url
  }

  async connect (event) {
    event.preventDefault()
    const form = event.target
    const v = (id) => form.querySelector('#' + id).value.trim()
    const made = await this.act(() => this.api.post(this.path(), { kind: 'caldav', url: v('cal-url'), username: v('cal-user'), password: form.querySelector('#cal-password').value }))
    if (!made) return
    form.reset()
    await this.load()
  }

  async connectOAuth (kind) {
    const made = await this.act(() => this.api.post(this.path(), { kind }), null)
    if (made?.authorization_url) location.assign(made.authorization_url)
  }

  async choose (connection, form) {
    const check = [...form.querySelectorAll('input[name=check]:checked')].map((i) => i.value)
    const write = form.querySelector('input[name=write_to]:checked')?.value || null
    await this.act(() => this.api.patch(this.path(connection.id), { check, write_to: write }))
    await this.load()
  }

  async sync (connection) {
    await this.act(() => this.api.post(this.path(connection.id, 'sync')))
    await this.load()
  }

  async disconnect (connection) {
    await this.act(() => this.api.del(this.path(connection.id)))
    await this.load()
  }

  render () {
    const t = this.t
    return html`
      <h2>${t('feed')}</h2>
      <p class="hint">${t('feedHint')}</p>
      ${this.feedUrl ? html`<p><input readonly aria-label=${t('feed')} class="wide mono" .value=${this.feedUrl} @focus=${(e) => e.target.select()}></p>
        <button class="secondary" @click=${() => copyText(this, this.feedUrl)}>${t('copy')}</button>` : nothing}
      <button class="secondary" @click=${this.makeFeed}>${this.feedUrl ? t('feedRotate') : t('feedCreate')}</button>

      <h2>${t('calendars')}</h2>
      ${this.connections?.length ? this.connections.map((c) => html`<form class="card" @change=${(e) => this.choose(c, e.currentTarget)} @submit=${(e) => e.preventDefault()}>
          <p class="break"><b>${c.account || c.url || c.kind}</b></p>
          <p class="hint">${c.last_sync_at ? t('lastSync', { when: this.when(c.last_sync_at) }) : t('neverSynced')}</p>
          ${c.last_error ? html`<p class="error">${t('syncError', { detail: c.last_error.detail || c.last_error.code })}</p>` : nothing}
          <fieldset><legend>${t('blocks')}</legend>
            ${c.calendars.map((cal, i) => html`<p class="row"><input type="checkbox" name="check" id=${`check-${c.id}-${i}`} value=${cal.href} ?checked=${cal.check}>
              <label for=${`check-${c.id}-${i}`} class="inline">${cal.name || cal.href}</label></p>`)}
          </fieldset>
          <fieldset><legend>${t('writeTo')}</legend>
            <p class="row"><input type="radio" name="write_to" id=${`write-${c.id}-none`} value="" ?checked=${!c.calendars.some((cal) => cal.write_to)}>
              <label for=${`write-${c.id}-none`} class="inline">${t('none')}</label></p>
            ${c.calendars.map((cal, i) => html`<p class="row"><input type="radio" name="write_to" id=${`write-${c.id}-${i}`} value=${cal.href} ?checked=${cal.write_to}>
              <label for=${`write-${c.id}-${i}`} class="inline">${cal.name || cal.href}</label></p>`)}
          </fieldset>
          <div class="row"><button type="button" class="secondary" @click=${() => this.sync(c)}>${t('syncNow')}</button>
            <button type="button" class="secondary" @click=${() => this.disconnect(c)}>${t('disconnect')}</button></div>
        </form>`) : html`<p>${t('noCalendars')}</p>`}
      <form class="card" @submit=${this.connect} novalidate>
        <h2>${t('connect')}</h2>
        <label for="cal-url">${t('calUrl')}</label>
        <input id="cal-url" type="url" inputmode="url" required class="wide" aria-invalid=${this.invalid('/url')} aria-describedby="cal-url-error">
        ${this.fieldError('/url', 'cal-url-error')}
        <label for="cal-user">${t('user')}</label>
        <input id="cal-user" autocomplete="username" required>
        <label for="cal-password">${t('password')}</label>
        <input id="cal-password" type="password" autocomplete="current-password" required>
        <p><button ?disabled=${this.busy}>${t('connectButton')}</button></p>
      </form>
      <div class="row"><button class="secondary" @click=${() => this.connectOAuth('google')}>${t('connectGoogle')}</button>
        <button class="secondary" @click=${() => this.connectOAuth('microsoft')}>${t('connectMicrosoft')}</button></div>
      ${this.generalError('/url')}`
  }
}
customElements.define('sw-settings-calendars', CalendarsPanel)
