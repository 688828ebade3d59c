// What the embed screen shows, apart from its view: the options a provider
// chooses, the snippet for each variant, and the attributes the live preview
// sets on the real <slotwise-booking>. The names are the widget's own
// (web/src/options.js), so the snippet, the preview and the README agree.
import { attrOf } from '../../../../src/options.js'

export const VARIANTS = ['inline', 'popup', 'link']
export const LOCALES = ['', 'en', 'de', 'fr', 'es', 'ar']
export const THEMES = ['light', 'dark', 'auto']
export const WEEK_STARTS = ['', 'mon', 'sat', 'sun']
export const DEFAULT_BRAND = '#2f5bd3'

export function defaultOptions () {
  return { variant: 'inline', service: '', locale: '', theme: 'light', brandColor: DEFAULT_BRAND, weekStart: '', buttonLabel: '' }
}

const HEX = /^#[0-9a-fA-F]{6}$/

// The widget options (camelCase, as Slotwise.render takes them) that differ
// from the widget's defaults, in a stable order, so a snippet stays short.
export function widgetOptions (provider, o) {
  const out = { provider }
  if (o.service) out.service = o.service
  if (o.variant === 'popup') out.mode = 'popup'
  if (o.variant === 'popup' && o.buttonLabel.trim()) out.buttonLabel = o.buttonLabel.trim()
  if (o.locale) out.locale = o.locale
  if (o.theme && o.theme !== 'light') out.theme = o.theme
  if (HEX.test(o.brandColor) && o.brandColor.toLowerCase() !== DEFAULT_BRAND) out.brandColor = o.brandColor.toLowerCase()
  if (o.weekStart) out.weekStart = o.weekStart
  return out
}

// The element's attributes for the preview: the same options, kebab-case.
export function previewAttributes (provider, o, api) {
  const attrs = {}
  for (const [k, v] of Object.entries(widgetOptions(provider, o))) attrs[attrOf(k)] = v
  attrs.api = api
  return attrs
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

// The page a link opens: the server's booking page with the options in its query.
export function bookingLink (origin, provider, o) {
  const url = new URL('/app/book.html', origin)
  for (const [k, v] of Object.entries(widgetOptions(provider, { ...o, variant: 'inline' }))) url.searchParams.set(attrOf(k), v)
  return url.href
}

// The text to paste. Inline and popup: the loader's script tag with data-*
// (README "Embedding"); link: an anchor to the booking page.
export function snippetFor (origin, provider, o) {
  if (o.variant === 'link') return `<a href="${esc(bookingLink(origin, provider, o))}">${esc(o.linkText || 'Book an appointment')}</a>`
  const data = Object.entries(widgetOptions(provider, o)).map(([k, v]) => ` data-${attrOf(k)}="${esc(v)}"`).join('')
  return `<script src="${esc(new URL('/widget.js', origin).href)}"${data} async></script>`
}

export function validBrand (value) {
  return HEX.test(value)
}

// The options as the screen's query (?variant=popup&locale=de...), so a
// reload or a shared dashboard link shows the same choice; unknown or
// invalid values fall back to the defaults.
const QUERY = { variant: 'variant', service: 'service', locale: 'locale', theme: 'theme', brandColor: 'brand-color', weekStart: 'week-start', buttonLabel: 'button-label' }

export function optionsFromQuery (query) {
  const o = defaultOptions()
  if (!query) return o
  const get = (k) => query.get(QUERY[k]) ?? ''
  if (VARIANTS.includes(get('variant'))) o.variant = get('variant')
  if (/^[A-Za-z0-9_-]{1,64}$/.test(get('service'))) o.service = get('service')
  if (LOCALES.includes(get('locale'))) o.locale = get('locale')
  if (THEMES.includes(get('theme'))) o.theme = get('theme')
  if (HEX.test(get('brandColor'))) o.brandColor = get('brandColor').toLowerCase()
  if (WEEK_STARTS.includes(get('weekStart'))) o.weekStart = get('weekStart')
  o.buttonLabel = get('buttonLabel').slice(0, 80)
  return o
}

export function queryOf (o) {
  const d = defaultOptions()
  const q = new URLSearchParams()
  for (const [k, name] of Object.entries(QUERY)) if (o[k] && o[k] !== d[k]) q.set(name, o[k])
  return q.toString()
}
