// The zone picker shared with the widget (engine_files.js loads its chunk),
// and the zone this browser is in, the practice's likely one.
export { loadZones as loadPicker } from '../../engine_files.js'

export const detectedZone = () => {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' } catch { return 'UTC' }
}
