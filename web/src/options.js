// The widget's options: one list for the element's observed attributes, the
// loader's data-* attributes, Slotwise.render()'s options and the README.
// `prop` is the camelCase name of data-* and render(); `live` says how a
// change after start is applied: 'theme' restyles, 'view' re-renders the
// current screen from the state kept, 'data' refetches what it needs while
// keeping the rest (the visitor's place, the typed details).
export const OPTIONS = [
  { attr: 'provider', live: 'data' },
  { attr: 'service', live: 'data' },
  { attr: 'locale', live: 'view' },
  { attr: 'time-zone', live: 'view' },
  { attr: 'theme', live: 'theme' },
  { attr: 'brand-color', live: 'theme' },
  { attr: 'name', live: 'view' },
  { attr: 'email', live: 'view' },
  { attr: 'hide-details', live: 'view' },
  { attr: 'week-start', live: 'view' },
  { attr: 'mode', live: 'view' },
  { attr: 'api', live: 'data' },
  { attr: 'booking-id', live: 'data' },
  { attr: 'manage-token', live: 'data' },
  { attr: 'manage-url', live: 'view' },
  { attr: 'button-label', live: 'view' },
  { attr: 'duration', live: 'view' },
  { attr: 'hour-cycle', live: 'view' },
  { attr: 'stripe-js-src', live: 'view' },
].map((o) => ({ ...o, prop: o.attr.replace(/-([a-z])/g, (_, c) => c.toUpperCase()) }))

export const ATTRIBUTES = OPTIONS.map((o) => o.attr)
export const liveOf = (attr) => OPTIONS.find((o) => o.attr === attr)?.live || 'view'
export const attrOf = (prop) => OPTIONS.find((o) => o.prop === prop)?.attr
