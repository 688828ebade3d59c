// The zone picker's chunk (slotwise-zones.<hash>.js), a classic script loaded
// on demand by load.js: it registers <slotwise-zone-picker> if the name is
// free and hands its API to window.Slotwise.zonePicker.
import { define, describeEntry, entriesFor, SlotwiseZonePicker } from './element.js'
import * as data from './zone-data.generated.js'
import { resolveZone, search } from './zones.js'

define()

const api = {
  define,
  SlotwiseZonePicker,
  tzVersion: data.tzVersion,
  // For a host that draws its own list (the dashboard): the same entries,
  // search and link resolution the element uses.
  entries: (locale, now) => entriesFor(locale, now),
  search: (query, { locale = 'en', detected = null } = {}) => search(entriesFor(locale), query, { locale, detected: resolveZone(data, detected) }),
  resolve: (zone) => resolveZone(data, zone),
  describe: describeEntry,
}
const slotwise = (window.Slotwise ||= {})
slotwise.zonePicker = api
for (const fn of slotwise.zonePickerWaiting || []) fn(api)
slotwise.zonePickerWaiting = null
