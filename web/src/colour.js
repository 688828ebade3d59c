// Brand colours are the provider's choice; contrast is ours. Every brand
// colour is nudged until it reaches WCAG AA (4.5:1) against the widget's
// background, and its text colour is whichever of black or white reads best.

function parseHex(hex) {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(hex).trim())
  if (!m) return null
  let h = m[1]
  if (h.length === 3) h = h.replace(/./g, (c) => c + c)
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16))
}

function toHex(rgb) {
  return '#' + rgb.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('')
}

function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

function mix(rgb, target, t) {
  return rgb.map((v, i) => v + (target[i] - v) * t)
}

// Returns {brand, onBrand} as hex for the given background.
export function accessibleBrand(hex, background) {
  const bg = parseHex(background)
  let rgb = parseHex(hex) || parseHex('#2f5bd3')
  const towards = luminance(bg) > 0.5 ? [0, 0, 0] : [255, 255, 255]
  // Margin above 4.5 so rounding to hex never drops below it.
  for (let t = 0; t <= 1 && contrast(rgb, bg) < 4.6; t += 0.02) rgb = mix(parseHex(hex) || rgb, towards, t)
  const white = [255, 255, 255]
  const black = [17, 17, 17]
  const onBrand = contrast(rgb, white) >= contrast(rgb, black) ? white : black
  return { brand: toHex(rgb), onBrand: toHex(onBrand) }
}

// Each theme's surface (styles.css --sw-surface): free days show the brand as
// text on it, and it is the background the brand contrasts least with
// (darker than the light page, lighter than the dark one).
export const themeSurfaces = { light: '#f4f6f9', dark: '#1e232a' }

export function themeBrands(hex) {
  return { light: accessibleBrand(hex, themeSurfaces.light), dark: accessibleBrand(hex, themeSurfaces.dark) }
}
