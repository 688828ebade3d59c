// The few lines the widget bundle carries: loads the zone picker's chunk
// (a classic script beside the widget's own, so no CORS is needed on another
// origin) the first time it is asked for, and resolves with its API
// (window.Slotwise.zonePicker). `SLOTWISE_ZONES_MODULE` is the chunk's
// content-hashed file name, defined by build.mjs.
/* global SLOTWISE_ZONES_MODULE */
const base = (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) || null

export function loadZonePicker({ url } = {}) {
  const slotwise = (window.Slotwise ||= {})
  if (slotwise.zonePicker) return Promise.resolve(slotwise.zonePicker)
  if (slotwise.zonePickerLoading) return slotwise.zonePickerLoading
  const name = typeof SLOTWISE_ZONES_MODULE === 'string' ? SLOTWISE_ZONES_MODULE : null
  const src = url || (name && new URL(name, base || document.baseURI).href)
  if (!src) return Promise.reject(new Error('slotwise: the zone picker is not part of this build'))
  slotwise.zonePickerLoading = new Promise((resolve, reject) => {
    ;(slotwise.zonePickerWaiting ||= []).push(resolve)
    const el = document.createElement('script')
    el.src = src
    el.async = true
    el.onerror = () => {
      slotwise.zonePickerLoading = null
      reject(new Error('slotwise: the zone picker could not be loaded'))
    }
    document.head.append(el)
  })
  return slotwise.zonePickerLoading
}
