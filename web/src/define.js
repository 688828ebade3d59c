// Registration, kept apart from the class so a host can register it under
// another name, or import the class without side effects.
import { SlotwiseBooking } from './element.js'

export const TAG = 'slotwise-booking'

export function define(tag = TAG) {
  if (!customElements.get(tag)) customElements.define(tag, SlotwiseBooking)
  return customElements.get(tag)
}
