// The dashboard's languages. Each screen keeps its own strings beside it in
// a file named *strings.js exporting { en: {...}, de: {...}, fr: {...},
// es: {...} } (English complete, the others may fall back to it key by key);
// dates, times and numbers always go through Intl in the dashboard's locale.
//
// In the bundle only English is built in: web/build.mjs turns each strings
// module into lazyStrings(id, en) and writes one content-hashed catalogue
// per other language (SLOTWISE_DASHBOARD_CATALOGUES), which loadLanguage()
// fetches before the shell switches to it. So each language costs only the
// people who use it.
export const dashboardLanguages = ['en', 'de', 'fr', 'es']

/* global SLOTWISE_DASHBOARD_CATALOGUES */
const catalogueFiles = typeof SLOTWISE_DASHBOARD_CATALOGUES === 'object' ? SLOTWISE_DASHBOARD_CATALOGUES : {}
const catalogues = {}

export function lazyStrings (id, en) {
  return new Proxy({ en }, { get: (_, lang) => (lang === 'en' ? en : catalogues[lang]?.[id]) })
}

// Resolves once `lang`'s words are here (at once for English, or when the
// build has no catalogues: the sources carry every language). A failed
// fetch leaves English in place.
export async function loadLanguage (lang) {
  const file = catalogueFiles[lang]
  if (!file || catalogues[lang]) return
  try {
    const res = await fetch(`/app/${file}`)
    if (res.ok) catalogues[lang] = await res.json()
  } catch { /* English stays */ }
}

export function pickLocale (wanted = [localStorage.getItem('slotwise-dashboard-locale'), ...navigator.languages]) {
  for (const tag of wanted) {
    if (!tag) continue
    const lang = tag.toLowerCase().split('-')[0]
    if (dashboardLanguages.includes(lang)) return lang
  }
  return 'en'
}

export function rememberLocale (locale) {
  localStorage.setItem('slotwise-dashboard-locale', locale)
}

// t('key', {name}) with {name} placeholders; a missing key shows the key, so
// a gap is visible in tests rather than an empty label.
export function translator (table, locale) {
  const lang = dashboardLanguages.includes(locale) ? locale : 'en'
  return (key, vars) => {
    const text = table[lang]?.[key] ?? table.en[key] ?? key
    return vars ? text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : text
  }
}

// An instant ("2026-03-29T07:00:00Z") as a wall time in a zone.
export function formatInstant (locale, instant, timeZone, options = { dateStyle: 'medium', timeStyle: 'short' }) {
  return new Intl.DateTimeFormat(locale, { timeZone, ...options }).format(new Date(instant))
}

export function formatMoney (locale, price) {
  if (!price) return ''
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: price.currency }).resolvedOptions().maximumFractionDigits
  return new Intl.NumberFormat(locale, { style: 'currency', currency: price.currency }).format(price.amount / 10 ** digits)
}
