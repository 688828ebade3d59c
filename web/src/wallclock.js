// Wall times that need their UTC offset beside them. On a fall-back day a
// wall time occurs twice ("02:30" at +02:00, then at +01:00), so a time alone
// is ambiguous; on a day with two offsets every time is shown with its own.
// Skipped wall times never reach the widget: the engine never offers them.
// Pure (Intl only), shared by the time buttons, the summary and the confirmation.

const offsetFormats = new Map()
function offsetFormat(locale, timeZone) {
  const key = `${locale}|${timeZone}`
  let f = offsetFormats.get(key)
  if (!f) offsetFormats.set(key, (f = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'shortOffset' })))
  return f
}

// "GMT+2", "GMT+10:30" in the visitor's language; '' when Intl lacks the zone.
export function offsetText(locale, timeZone, ms) {
  try {
    return offsetFormat(locale, timeZone).formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value || ''
  } catch {
    return ''
  }
}

// The zone's UTC offset in minutes at an instant.
export function offsetMinutes(timeZone, ms) {
  const f = offsetFormat('en-US', timeZone)
  const text = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value || 'GMT'
  const m = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(text)
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] || 0)) : 0
}

const HOURS_3 = 3 * 3600000

// True when the wall time of `ms` in `timeZone` also occurs at another instant.
export function wallTimeRepeats(timeZone, ms) {
  try {
    const here = offsetMinutes(timeZone, ms)
    for (const other of new Set([offsetMinutes(timeZone, ms - HOURS_3), offsetMinutes(timeZone, ms + HOURS_3)])) {
      if (other === here) continue
      const twin = ms + (here - other) * 60000
      if (offsetMinutes(timeZone, twin) === other) return true
    }
  } catch { /* a zone Intl does not know: no labels */ }
  return false
}

// For a day's slots ({ start }), the offset text to show beside each time,
// or null where the time alone is unambiguous: every time carries its offset
// when the day's slots have more than one.
export function slotOffsetLabels(locale, timeZone, slots) {
  if (!slots.length) return []
  let two = false
  try {
    const offsets = new Set(slots.map((s) => offsetMinutes(timeZone, Date.parse(s.start))))
    const first = Date.parse(slots[0].start)
    const last = Date.parse(slots.at(-1).start)
    // One offset, and none other within three hours of the day's times: no
    // time can repeat (the common day costs two more look-ups, not five per time).
    const near = offsets.size === 1 && offsetMinutes(timeZone, first - HOURS_3) === offsetMinutes(timeZone, last + HOURS_3) &&
      offsets.has(offsetMinutes(timeZone, first - HOURS_3))
    two = offsets.size > 1 || (!near && slots.some((s) => wallTimeRepeats(timeZone, Date.parse(s.start))))
  } catch { /* a zone Intl does not know: no labels */ }
  return slots.map((s) => (two ? offsetText(locale, timeZone, Date.parse(s.start)) : null))
}

// A start-end pair: whether its ends need their offsets.
export function rangeNeedsOffsets(timeZone, startMs, endMs) {
  return offsetMinutes(timeZone, startMs) !== offsetMinutes(timeZone, endMs) ||
    wallTimeRepeats(timeZone, startMs) || wallTimeRepeats(timeZone, endMs)
}

// The distinct offsets of a day's slots, in order: "GMT+2 / GMT+1" for the zone note.
export function dayOffsets(locale, timeZone, slots) {
  return [...new Set(slots.map((s) => offsetText(locale, timeZone, Date.parse(s.start))))].filter(Boolean)
}
