// Interface strings. Dates, times, weekdays, numbers and durations never live
// here: they always go through Intl, so every locale Intl knows formats them.
// {name} placeholders are filled by t(). English is built in; the other
// languages (strings/*.js) are content-hashed JSON files beside the widget
// (web/build.mjs names them in SLOTWISE_CATALOGUES), fetched while the engine
// and the snapshot load, so they cost nothing in the widget's own size.
import en from './strings/en.js'
import { languageOf } from './language.js'

/* global SLOTWISE_CATALOGUES */
export const catalogueFiles = typeof SLOTWISE_CATALOGUES === 'object' ? SLOTWISE_CATALOGUES : {}
export const supportedLanguages = ['en', 'de', 'fr', 'es', 'ar']
const loaded = new Map([['en', en]])

const rtlLanguages = new Set(['ar', 'he', 'fa', 'ur', 'ps', 'yi', 'dv', 'ckb', 'sd', 'ug'])

export { languageOf } from './language.js'

// The direction comes from the locale, not from the strings: a Hebrew locale
// with English strings still lays out right to left, as its dates read.
export function directionOf(locale) {
  const loc = safeLocale(locale)
  const info = loc.getTextInfo?.() ?? loc.textInfo
  if (info && info.direction) return info.direction
  return rtlLanguages.has(loc.language) ? 'rtl' : 'ltr'
}

export function safeLocale(locale) {
  try {
    return new Intl.Locale(locale)
  } catch {
    return new Intl.Locale('en')
  }
}

// The language's strings, from the file beside the widget (English when the
// language has none or the file cannot be read: the widget must still work).
export async function loadStrings(locale, base) {
  const lang = languageOf(locale)
  if (loaded.has(lang)) return loaded.get(lang)
  const file = catalogueFiles[lang]
  if (!file) return en
  try {
    const res = await fetch(new URL(file, base).href, { credentials: 'omit', mode: 'cors' })
    if (res.ok) {
      const strings = await res.json()
      loaded.set(lang, strings)
      return strings
    }
  } catch { /* English this time; a retry asks again */ }
  return en
}

// A translator over the strings loaded so far: English until loadStrings()
// has brought the visitor's language.
export function translator(locale) {
  const lang = languageOf(locale)
  return (key, vars) => {
    const strings = loaded.get(lang) || en
    let s = strings[key] ?? en[key] ?? key
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m))
    return s
  }
}

