// The picker's own words in the widget's languages (en, de, fr, es, ar);
// other locales get English words around their own Intl names.
const STRINGS = {
  en: {
    label: 'Time zone', placeholder: 'Search city, country or zone', showAll: 'Show all time zones',
    detected: 'your device', none: 'No time zone matches “{q}”.', count: '{n} time zones', one: '1 time zone',
  },
  de: {
    label: 'Zeitzone', placeholder: 'Stadt, Land oder Zone suchen', showAll: 'Alle Zeitzonen zeigen',
    detected: 'Ihr Gerät', none: 'Keine Zeitzone passt zu „{q}“.', count: '{n} Zeitzonen', one: '1 Zeitzone',
  },
  fr: {
    label: 'Fuseau horaire', placeholder: 'Chercher une ville, un pays ou un fuseau', showAll: 'Afficher tous les fuseaux horaires',
    detected: 'votre appareil', none: 'Aucun fuseau horaire ne correspond à « {q} ».', count: '{n} fuseaux horaires', one: '1 fuseau horaire',
  },
  es: {
    label: 'Zona horaria', placeholder: 'Buscar ciudad, país o zona', showAll: 'Mostrar todas las zonas horarias',
    detected: 'tu dispositivo', none: 'Ninguna zona horaria coincide con «{q}».', count: '{n} zonas horarias', one: '1 zona horaria',
  },
  ar: {
    label: 'المنطقة الزمنية', placeholder: 'ابحث عن مدينة أو بلد أو منطقة', showAll: 'عرض كل المناطق الزمنية',
    detected: 'جهازك', none: 'لا توجد منطقة زمنية تطابق «{q}».', count: '{n} منطقة زمنية', one: 'منطقة زمنية واحدة',
  },
}

export function strings(locale) {
  const lang = String(locale || 'en').toLowerCase().split('-')[0]
  return STRINGS[lang] || STRINGS.en
}

export function format(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''))
}

export function languages() {
  return Object.keys(STRINGS)
}

export function isRtl(locale) {
  try {
    const l = new Intl.Locale(locale)
    const info = l.getTextInfo?.() || l.textInfo
    if (info && info.direction) return info.direction === 'rtl'
  } catch { /* fall through */ }
  return /^(ar|he|fa|ur|ps|yi|dv|ckb|sd|ug)\b/i.test(String(locale))
}
