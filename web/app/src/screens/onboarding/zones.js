// The widget's zone picker (web/src/zone-picker/), its chunk named by
// build.mjs; the dashboard is a module, so the chunk's URL is given, not
// derived from a script tag.
/* global SLOTWISE_ZONES_MODULE */
import { loadZonePicker } from '../../../../src/zone-picker/load.js'

export const loadPicker = () => loadZonePicker({ url: '/' + SLOTWISE_ZONES_MODULE })

export const detectedZone = () => {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' } catch { return 'UTC' }
}
