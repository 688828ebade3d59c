// A locale's language ("de" of "de-AT"), English when the locale cannot be
// read. Its own module so that the payment chunk (a separate build) shares
// it with the widget without pulling in the widget's string catalogues.
export function languageOf(locale) {
  try {
    return new Intl.Locale(locale).language
  } catch {
    return 'en'
  }
}
