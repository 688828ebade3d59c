// The dashboard's languages. Each screen keeps its own strings beside it as
// { en: {...}, de: {...}, fr: {...}, es: {...} } (English complete, the
// others may fall back to it key by key); dates, times and numbers always go
// through Intl in the dashboard's locale.
export const dashboardLanguages = ['en', 'de', 'fr', 'es']

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
