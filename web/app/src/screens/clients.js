// The clients screen (/app/clients): who booked, how often, their no-shows
// and whether the server's lock-out applies (GET /v1/providers/{id}/clients,
// counted in SQL from the bookings). Search and order live in the address.
import { html, css, nothing } from 'lit'
import { ScreenElement, baseStyles } from '../ui.js'
import { providerPath } from '../api.js'
import { hrefOf } from '../router.js'
import { formatInstant, translator } from '../i18n.js'
import { SORTS, filterClients, queryString, readQuery } from './clients/model.js'
import { queryString as bookingsQuery } from './bookings/model.js'
import { strings } from './clients/strings.js'

export class ClientsScreen extends ScreenElement {
  static properties = {
    clients: { state: true },
    failure: { state: true },
  }

  static styles = [baseStyles, css`
    form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; margin: 0 0 1rem; }
    form > div { display: flex; flex-direction: column; flex: 1 1 12rem; min-width: 0; }
    form label { margin: 0 0 .25rem; }
    ul { list-style: none; margin: 0; padding: 0; }
    li.client { border: 1px solid #d6dae1; border-radius: 10px; padding: .75rem; margin: 0 0 .75rem; background: #fff; }
    li.client h2 { font-size: 1.05rem; margin: 0; overflow-wrap: anywhere; }
    li.client p { margin: .15rem 0; overflow-wrap: anywhere; }
    dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(7rem, 1fr)); gap: .25rem 1rem; margin: .5rem 0; }
    dt { font-size: .85rem; color: #4a5361; } dd { margin: 0; font-weight: 600; }
    .locked { display: inline-block; color: #9f1d16; border: 1px solid currentColor; border-radius: 6px; padding: 0 .5rem; font-size: .9rem; font-weight: 600; }
  `]

  get t () { return translator(strings, this.locale) }
  get state () { return readQuery(this.route?.query || new URLSearchParams()) }
  get zone () { return this.provider?.time_zone || 'UTC' }

  willUpdate (changed) {
    if ((changed.has('providerId') || changed.has('api')) && this.api && this.providerId && this.loadedFor !== this.providerId) this.load()
  }

  async load () {
    this.loadedFor = this.providerId
    this.failure = null
    try {
      this.clients = (await this.api.get(providerPath(this.providerId, 'clients'))).clients
    } catch (e) {
      this.failure = e
    }
  }

  apply (event) {
    event.preventDefault()
    const data = new FormData(event.target)
    this.go(hrefOf('clients') + queryString({ q: data.get('q').trim(), sort: data.get('sort') }))
  }

  render () {
    const t = this.t
    const s = this.state
    const shown = this.clients ? filterClients(this.clients, s, this.locale) : null
    return html`
      <h1 tabindex="-1">${t('title')}</h1>
      <form role="search" @submit=${this.apply}>
        <div><label for="q">${t('search')}</label><input id="q" name="q" type="search" autocomplete="off" .value=${s.q}></div>
        <div><label for="sort">${t('sort')}</label>
          <select id="sort" name="sort">${SORTS.map((k) => html`<option value=${k} ?selected=${s.sort === k}>${t(k)}</option>`)}</select></div>
        <button>${t('apply')}</button>
        ${s.q || s.sort !== 'recent' ? html`<a href=${hrefOf('clients')}>${t('clear')}</a>` : nothing}
      </form>
      ${this.failure ? html`<p class="error" role="alert">${t('failed', { detail: this.failure.problem?.detail || this.failure.status })}</p>` : nothing}
      ${!shown && !this.failure ? html`<p role="status">${t('loading')}</p>` : nothing}
      ${shown ? this.renderList(shown) : nothing}`
  }

  renderList (shown) {
    const t = this.t
    const s = this.state
    if (!shown.length) return html`<p id="empty">${s.q ? t('noneFor', { q: s.q }) : t('none')}</p>`
    const day = (at) => (at ? formatInstant(this.locale, at, this.zone, { dateStyle: 'medium', timeStyle: 'short' }) : '—')
    return html`<p class="hint" role="status">${t('count', { n: shown.length })}</p>
      <ul>${shown.map((c, i) => html`<li class="client" data-email=${c.email}>
        <h2 id=${`c-${i}`}>${c.name}</h2>
        <p>${c.email}</p>
        ${c.locked_out ? html`<p><span class="locked">${t('lockedOut', { n: c.lockout_no_shows })}</span></p><p class="hint">${t('lockedHint')}</p>` : nothing}
        <dl>
          <div><dt>${t('nBookings')}</dt><dd data-count="bookings">${c.bookings}</dd></div>
          <div><dt>${t('upcoming')}</dt><dd data-count="upcoming">${c.upcoming}</dd></div>
          <div><dt>${t('completed')}</dt><dd data-count="completed">${c.completed}</dd></div>
          <div><dt>${t('noShows')}</dt><dd data-count="no_shows">${c.no_shows}</dd></div>
          <div><dt>${t('cancelled')}</dt><dd data-count="cancelled">${c.cancelled}</dd></div>
          <div><dt>${t('last')}</dt><dd>${day(c.last_start)}</dd></div>
          <div><dt>${t('next')}</dt><dd>${day(c.next_start)}</dd></div>
        </dl>
        <a href=${hrefOf('bookings') + bookingsQuery({ tab: c.upcoming ? 'upcoming' : 'past', q: c.email })}>${t('seeBookings', { name: c.name })}</a>
      </li>`)}</ul>`
  }
}
customElements.define('sw-screen-clients', ClientsScreen)
