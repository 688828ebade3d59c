// <slotwise-zone-picker>: a WAI-ARIA combobox (editable, list autocomplete)
// over the canonical zones: type a city, country or zone name in the
// visitor's language; arrows, Home/End, PageUp/PageDown, Enter, Escape.
// Attributes are its API (README.md); the choice is announced by a `change`
// event that leaves the Shadow root with `detail.zone`.
import * as data from './zone-data.generated.js'
import { buildEntries, defaultOrder, entryBuilder, resolveZone, search } from './zones.js'
import { format, isRtl, strings } from './strings.js'
import css from './styles.css'

let sheet = null
const styleSheet = () => {
  if (!sheet) {
    sheet = new CSSStyleSheet()
    sheet.replaceSync(css)
  }
  return sheet
}

// Names and offsets per locale, rebuilt every quarter of an hour (offsets
// change on the hour or half hour in UTC: Lord Howe's summer time starts at
// 15:30Z); shared by every picker on the page. A build started
// in idle time is finished at once when the list is needed before.
const QUARTER = 15 * 60000
const cache = new Map()
const building = new Map()
export function entriesFor(locale, now = Date.now()) {
  const quarter = Math.floor(now / QUARTER)
  const hit = cache.get(locale)
  if (hit && hit.quarter === quarter) return hit.entries
  const partial = building.get(locale)
  building.delete(locale)
  const entries = partial && partial.quarter === quarter
    ? [...partial.entries, ...partial.rest]
    : buildEntries(data, { locale, now })
  cache.set(locale, { quarter, entries })
  return entries
}

function prebuild(locale) {
  const now = Date.now()
  const quarter = Math.floor(now / QUARTER)
  if (cache.get(locale)?.quarter === quarter || building.get(locale)?.quarter === quarter) return
  const job = { quarter, entries: [], rest: entryBuilder(data, { locale, now }) }
  building.set(locale, job)
  const slice = (deadline) => {
    if (building.get(locale) !== job) return // finished by entriesFor, or superseded
    const until = performance.now() + Math.min(8, deadline && deadline.timeRemaining ? deadline.timeRemaining() : 8)
    while (performance.now() < until) {
      const next = job.rest.next()
      if (next.done) {
        building.delete(locale)
        cache.set(locale, { quarter, entries: job.entries })
        return
      }
      job.entries.push(next.value)
    }
    idle(slice)
  }
  idle(slice)
}

// One zone as shown, without building all of them (the closed field needs
// only its own zone's text).
function entryFor(locale, zone) {
  const hit = cache.get(locale)
  if (hit && hit.quarter === Math.floor(Date.now() / QUARTER)) return hit.entries.find((e) => e.id === zone)
  const row = data.zones.find((z) => z[0] === zone)
  return row ? buildEntries({ zones: [row] }, { locale })[0] : undefined
}

function idle(fn) {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: 3000 })
  else setTimeout(fn, 50)
}

export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null
  } catch {
    return null
  }
}

const PAGE = 10
let instances = 0

export class SlotwiseZonePicker extends HTMLElement {
  static get observedAttributes() {
    return ['value', 'locale', 'detected', 'label', 'label-hidden', 'placeholder']
  }

  #root
  #ids
  #input
  #toggle
  #list
  #empty
  #status
  #label
  #results = []
  #active = -1
  #open = false
  #typed = false
  #built = false
  #supported = null

  constructor() {
    super()
    this.#root = this.attachShadow({ mode: 'open' })
    this.#root.adoptedStyleSheets = [styleSheet()]
    this.#ids = `zp${++instances}`
  }

  // The chosen canonical zone (a link given as value="Asia/Calcutta" reads
  // back as "Asia/Kolkata"; a name the picker does not list, as given);
  // without a value, the detected zone, then UTC.
  get value() {
    const given = this.getAttribute('value')
    return resolveZone(data, given) || given || this.detected || 'UTC'
  }

  set value(zone) {
    this.setAttribute('value', zone)
  }

  // Optional: the zone names the host can use (the engine's zones()); the
  // list then offers only zones among them (a link counts for its zone).
  get supportedZones() {
    return this.#supported ? [...this.#supported] : null
  }

  set supportedZones(names) {
    this.#supported = names ? new Set([...names].map((n) => resolveZone(data, n)).filter(Boolean)) : null
    if (this.#open) this.#render()
  }

  get detected() {
    return resolveZone(data, this.getAttribute('detected') || browserZone())
  }

  get locale() {
    const l = this.getAttribute('locale') || (typeof navigator !== 'undefined' && navigator.language) || 'en'
    try {
      return Intl.getCanonicalLocales(l)[0]
    } catch {
      return 'en'
    }
  }

  // Resolves a zone name the way the picker does (links -> zone, else null).
  static resolve(zone) {
    return resolveZone(data, zone)
  }

  static get tzVersion() {
    return data.tzVersion
  }

  connectedCallback() {
    // A value set on the element before its chunk loaded shadows the accessor.
    if (Object.prototype.hasOwnProperty.call(this, 'value')) {
      const v = this.value
      delete this.value
      this.value = v
    }
    if (!this.#built) this.#build()
    this.#refresh()
    // The list's names and offsets (~100 ms of Intl in all) are built in
    // idle slices of at most 8 ms, so the first open is quick and nothing
    // else waits.
    prebuild(this.locale)
  }

  disconnectedCallback() {
    this.#close()
  }

  attributeChangedCallback(name, before, after) {
    if (!this.#built || before === after) return
    this.#refresh()
    if (name === 'locale' && this.isConnected) prebuild(this.locale)
  }

  // Opens the list with the keyboard focus in the field (for a host's
  // "change zone" button).
  show() {
    this.#input.focus()
    this.#openList()
  }

  #build() {
    this.#built = true
    const id = this.#ids
    const h = (tag, attrs = {}, ...children) => {
      const el = document.createElement(tag)
      for (const [k, v] of Object.entries(attrs)) {
        if (k === 'text') el.textContent = v
        else if (v === true) el.setAttribute(k, '')
        else if (v != null && v !== false) el.setAttribute(k, v)
      }
      el.append(...children)
      return el
    }
    this.#label = h('label', { for: `${id}-input`, id: `${id}-label` })
    this.#input = h('input', {
      id: `${id}-input`, type: 'text', role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
      'aria-controls': `${id}-list`, autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', enterkeyhint: 'done',
    })
    this.#toggle = h('button', { type: 'button', class: 'toggle', tabindex: '-1', 'aria-controls': `${id}-list`, 'aria-expanded': 'false' })
    this.#list = h('ul', { id: `${id}-list`, role: 'listbox', 'aria-labelledby': `${id}-label`, hidden: true })
    this.#empty = h('p', { class: 'empty', hidden: true })
    this.#status = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' })
    const wrap = h('div', { class: 'zp', part: 'picker' }, this.#label, h('div', { class: 'box' }, this.#input, this.#toggle), this.#list, this.#empty, this.#status)
    this.#root.append(wrap)

    this.#input.addEventListener('keydown', (e) => this.#onKey(e))
    this.#input.addEventListener('input', () => {
      this.#typed = true
      this.#openList()
    })
    // A click on the closed field opens the list with the text selected, so
    // typing starts a new search.
    this.#input.addEventListener('click', () => {
      if (this.#open) return
      this.#input.select()
      this.#openList()
    })
    this.#input.addEventListener('focus', () => this.#input.select())
    this.#toggle.addEventListener('click', () => {
      if (this.#open) this.#close(true)
      else {
        this.#typed = false
        this.#input.focus()
        this.#openList()
      }
    })
    // Options are chosen by click; pressing one must not blur the field.
    for (const el of [this.#list, this.#toggle, this.#empty]) el.addEventListener('pointerdown', (e) => e.preventDefault())
    this.#list.addEventListener('click', (e) => {
      const opt = e.target.closest('[role=option]')
      if (opt) this.#choose(Number(opt.dataset.index))
    })
    this.#input.addEventListener('blur', () => this.#close(true))
  }

  #refresh() {
    const s = strings(this.locale)
    this.#root.host.toggleAttribute('data-rtl', isRtl(this.locale))
    const wrap = this.#root.querySelector('.zp')
    wrap.dir = isRtl(this.locale) ? 'rtl' : 'ltr'
    wrap.lang = this.locale
    wrap.classList.toggle('label-hidden', this.hasAttribute('label-hidden'))
    this.#label.textContent = this.getAttribute('label') || s.label
    this.#input.placeholder = this.getAttribute('placeholder') || s.placeholder
    this.#toggle.setAttribute('aria-label', s.showAll)
    if (this.#open) this.#render()
    else this.#showValue()
  }

  #entries() {
    const all = entriesFor(this.locale)
    return this.#supported ? all.filter((e) => this.#supported.has(e.id)) : all
  }

  // The field's text when not searching: "(UTC+01:00) Berlin, Deutschland"
// (the offset first: a narrow field cuts the country, not the offset).
  #showValue() {
    const zone = this.value
    const e = entryFor(this.locale, zone)
    this.#input.value = e ? describeEntry(e, isRtl(this.locale)) : zone.replaceAll('_', ' ')
  }

  #openList() {
    this.#open = true
    this.#render()
  }

  #close(restore = false) {
    if (!this.#built) return
    this.#open = false
    this.#typed = false
    this.#active = -1
    this.#list.hidden = true
    this.#empty.hidden = true
    this.#list.replaceChildren()
    this.#input.setAttribute('aria-expanded', 'false')
    this.#toggle.setAttribute('aria-expanded', 'false')
    this.#input.removeAttribute('aria-activedescendant')
    if (restore) this.#showValue()
  }

  #render() {
    const s = strings(this.locale)
    const opts = { detected: this.detected, locale: this.locale }
    const query = this.#typed ? this.#input.value : ''
    this.#results = query.trim() ? search(this.#entries(), query, opts) : defaultOrder(this.#entries(), opts)
    const current = this.value
    const frag = document.createDocumentFragment()
    this.#results.forEach((e, i) => {
      const li = document.createElement('li')
      li.id = `${this.#ids}-o${i}`
      li.setAttribute('role', 'option')
      li.setAttribute('aria-selected', 'false')
      li.dataset.index = i
      li.dataset.zone = e.id
      if (e.id === current) li.classList.add('current')
      const city = document.createElement('span')
      city.className = 'city'
      city.textContent = e.city || e.name || e.id
      if (e.id === opts.detected) {
        const tag = document.createElement('span')
        tag.className = 'tag'
        tag.textContent = s.detected
        city.append(' ', tag)
      }
      const offset = document.createElement('span')
      offset.className = 'offset'
      offset.dir = 'ltr'
      offset.textContent = e.offsetText
      const meta = document.createElement('span')
      meta.className = 'meta'
      // Every country: a zone found by its second country (Zurich for
      // Büsingen, Germany) says why it is listed.
      meta.textContent = [e.countries.join(', '), e.city ? e.name : ''].filter(Boolean).join(' · ')
      li.append(city, offset, meta)
      frag.append(li)
    })
    this.#list.replaceChildren(frag)
    const any = this.#results.length > 0
    this.#list.hidden = !any
    this.#empty.hidden = any
    if (!any) this.#empty.textContent = format(s.none, { q: query.trim() })
    this.#input.setAttribute('aria-expanded', String(any))
    this.#toggle.setAttribute('aria-expanded', String(any))
    this.#status.textContent = !query.trim() ? '' : any ? (this.#results.length === 1 ? s.one : format(s.count, { n: this.#results.length })) : format(s.none, { q: query.trim() })
    // Searching: the best match is active, so Enter takes it. Browsing: the
    // current zone is, so the list opens where the visitor is.
    const at = query.trim() ? 0 : this.#results.findIndex((e) => e.id === current)
    this.#setActive(any ? Math.max(0, at) : -1)
  }

  #setActive(i) {
    const prev = this.#list.children[this.#active]
    if (prev) prev.setAttribute('aria-selected', 'false')
    this.#active = i
    const opt = this.#list.children[i]
    if (!opt) {
      this.#input.removeAttribute('aria-activedescendant')
      return
    }
    opt.setAttribute('aria-selected', 'true')
    this.#input.setAttribute('aria-activedescendant', opt.id)
    // Scroll the list only, never the page.
    const list = this.#list
    const top = opt.offsetTop
    const bottom = top + opt.offsetHeight
    if (top < list.scrollTop) list.scrollTop = top - 4
    else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight + 4
  }

  #choose(i) {
    const e = this.#results[i]
    if (!e) return
    const before = this.value
    this.setAttribute('value', e.id)
    this.#close()
    this.#showValue()
    this.#input.select()
    if (e.id !== before) {
      this.dispatchEvent(new CustomEvent('change', { detail: { zone: e.id }, bubbles: true, composed: true }))
    }
  }

  #onKey(e) {
    const open = this.#open && this.#results.length > 0
    const last = this.#results.length - 1
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault()
        if (!this.#open) this.#openList()
        else if (!e.altKey && open) this.#setActive(Math.min(last, this.#active + 1))
        return
      case 'ArrowUp':
        e.preventDefault()
        if (e.altKey) this.#close(true)
        else if (!this.#open) this.#openList()
        else if (open) this.#setActive(Math.max(0, this.#active - 1))
        return
      case 'PageDown':
      case 'PageUp':
        if (!open) return
        e.preventDefault()
        this.#setActive(Math.max(0, Math.min(last, this.#active + (e.key === 'PageDown' ? PAGE : -PAGE))))
        return
      case 'Home':
      case 'End':
        // With the list open they move in the list; closed, in the text.
        if (!open || e.shiftKey) return
        e.preventDefault()
        this.#setActive(e.key === 'Home' ? 0 : last)
        return
      case 'Enter':
        if (!this.#open) return
        e.preventDefault()
        if (open && this.#active >= 0) this.#choose(this.#active)
        return
      case 'Escape':
        if (this.#open) {
          e.preventDefault()
          e.stopPropagation() // a surrounding <dialog> stays open
          this.#close(true)
          this.#input.select()
        } else if (this.#input.value !== '') {
          this.#showValue()
          this.#input.select()
        }
        return
      case 'Tab':
        if (this.#open) this.#close(true)
        return
      default:
    }
  }
}

export function describeEntry(e, rtl = false) {
  const place = e.city ? [e.city, e.country].filter(Boolean).join(', ') : e.name || e.id
  // In right-to-left text the offset is isolated, or its parenthesis and sign move.
  return rtl ? `\u2066(${e.offsetText})\u2069 ${place}` : `(${e.offsetText}) ${place}`
}

export function define(tag = 'slotwise-zone-picker') {
  if (!customElements.get(tag)) customElements.define(tag, class extends SlotwiseZonePicker {})
  return customElements.get(tag)
}
