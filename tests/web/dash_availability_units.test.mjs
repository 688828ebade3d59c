// The availability screen's rules (web/app/src/screens/availability/model.js)
// in Node: schedule names, weekly windows, a vacation range as one override
// per date, engine.md's validation at the field, and orphan detection asked
// of the Node build of the same WebAssembly engine.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { nodeEngine, repo, run } from './lib.mjs'

const m = await import(join(repo, 'web', 'app', 'src', 'screens', 'availability', 'model.js'))

const provider = {
  name: 'Dr. Test', kind: 'doctor', time_zone: 'Europe/Berlin', active: true,
  schedules: { default: { weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '09:00', end: '17:00' })) } },
  services: [{ id: 'consult', name: 'Consultation', durations: [30, 60], min_notice_minutes: 60, price: { amount: 1, currency: 'EUR' } }],
}

const { default: strings } = await import(join(repo, 'web', 'app', 'src', 'screens', 'availability', 'strings.js'))

await run('dashboard availability units', async () => {
  // Every language has every word, with the same placeholders.
  for (const lang of ['de', 'fr', 'es']) {
    assert.deepEqual(Object.keys(strings[lang]).sort(), Object.keys(strings.en).sort(), lang)
    for (const [k, v] of Object.entries(strings.en)) {
      assert.deepEqual((strings[lang][k].match(/\{\w+\}/g) || []).sort(), (v.match(/\{\w+\}/g) || []).sort(), `${lang}.${k}`)
    }
  }

  const saved = m.editable(provider)
  assert.deepEqual(saved.schedules.default.overrides, [], 'missing lists become empty lists')
  assert.equal(m.isDirty(provider, saved), false)
  assert.deepEqual(provider.schedules.default.overrides, undefined, 'the input is not changed')

  // Named schedules: add (a copy of the weekly hours), rename moves the
  // services that used it (implicitly "default" too), delete only when unused.
  assert.equal(m.addSchedule(saved, ' ').error, 'nameMissing')
  assert.equal(m.addSchedule(saved, 'default').error, 'nameTaken')
  assert.equal(m.addSchedule(saved, 'x'.repeat(65)).error, 'nameLong')
  const added = m.addSchedule(saved, ' Evenings ', 'default')
  assert.equal(added.name, 'Evenings')
  assert.equal(added.edits.schedules.Evenings.weekly.length, 5)
  assert.deepEqual(added.edits.schedules.Evenings.overrides, [])
  assert.equal(m.deleteSchedule(saved, 'default').error, 'inUse')
  assert.equal(m.deleteSchedule(added.edits, 'default').error, 'inUse')
  assert.equal(Object.keys(m.deleteSchedule(added.edits, 'Evenings').edits.schedules).join(), 'default')
  const renamed = m.renameSchedule(added.edits, 'default', 'Clinic')
  assert.deepEqual(Object.keys(renamed.edits.schedules), ['Clinic', 'Evenings'], 'the order stays')
  assert.equal(renamed.edits.services[0].schedule, 'Clinic')
  assert.equal(m.renameSchedule(added.edits, 'default', 'Evenings').error, 'nameTaken')
  assert.equal(m.renameSchedule(added.edits, 'default', 'default').edits.schedules.default.weekly.length, 5, 'same name is no clash')
  assert.deepEqual(m.scheduleUsers(renamed.edits, 'Clinic'), ['consult'])
  assert.equal(m.addSchedule(saved, 'Ab\u202Ec').error, 'nameChars', 'a bidi override is refused as the server does')
  assert.equal(m.addSchedule(saved, 'tab\there').error, 'nameChars')
  assert.equal(m.addSchedule(saved, 'ü'.repeat(33)).error, 'nameLong', '66 UTF-8 bytes')
  assert.equal(m.addSchedule(saved, 'ü'.repeat(32)).name.length, 32)
  let many = saved
  for (let i = 1; i < m.MAX_SCHEDULES; i++) many = m.addSchedule(many, `s${i}`).edits
  assert.equal(m.addSchedule(many, 'one more').error, 'tooMany')
  // The server's problems as it sends them: an engine refusal carries its
  // path in engine_error, a refused name in path.
  assert.equal(m.problemPath({ code: 'INVALID_REQUEST', engine_error: { code: 'INVALID_SNAPSHOT', path: '/schedules/default/weekly/0/end' } }), 'schedules/default/weekly/0/end')
  assert.equal(m.problemPath({ code: 'INVALID_REQUEST', path: '/schedules/x', pointer: '/schedules/x' }), 'schedules/x')
  assert.equal(m.problemPath({ code: 'PLAN_LIMIT' }), '')
  assert.equal(m.problemPath(undefined), '')
  assert.equal(m.deleteSchedule(m.addSchedule(m.editable({ ...provider, services: [] }), 'b').edits, 'default').edits.schedules.b.weekly.length, 0)
  assert.equal(m.deleteSchedule(m.editable({ ...provider, services: [] }), 'default').error, 'lastSchedule')

  // Weekly windows: a second window follows the first, grouped by day in
  // the document's order; copy a day to others.
  let e = m.addWindow(saved, 'default', 'mon')
  assert.equal(e.index, 1)
  assert.deepEqual(e.edits.schedules.default.weekly[1], { day: 'mon', start: '18:00', end: '19:00' })
  e = m.addWindow(e.edits, 'default', 'sat')
  assert.equal(e.index, 6, 'a saturday goes after friday')
  assert.deepEqual(e.edits.schedules.default.weekly[6], { day: 'sat', start: '09:00', end: '17:00' })
  let ed = m.updateWindow(e.edits, 'default', 1, 'end', '20:30')
  assert.equal(ed.schedules.default.weekly[1].end, '20:30')
  ed = m.copyDay(ed, 'default', 'mon', ['wed', 'sun', 'mon'])
  assert.deepEqual(ed.schedules.default.weekly.filter((w) => w.day === 'wed').map((w) => `${w.start}-${w.end}`), ['09:00-17:00', '18:00-20:30'])
  assert.deepEqual(ed.schedules.default.weekly.filter((w) => w.day === 'sun').length, 2)
  assert.deepEqual(ed.schedules.default.weekly.map((w) => w.day), ['mon', 'mon', 'tue', 'wed', 'wed', 'thu', 'fri', 'sat', 'sun', 'sun'])
  ed = m.removeWindow(ed, 'default', 1)
  assert.equal(m.windowsOf(ed.schedules.default, 'mon').length, 1)
  assert.ok(m.isDirty(provider, ed))

  // engine.md's rules at the field: HH:MM, 24:00 only as an end, end after
  // start, overlapping windows of one day.
  const bad = m.editable({ ...provider, schedules: { default: { weekly: [
    { day: 'mon', start: '9:00', end: '12:00' }, { day: 'mon', start: '11:00', end: '13:00' },
    { day: 'tue', start: '13:00', end: '12:00' }, { day: 'wed', start: '24:00', end: '24:00' }, { day: 'thu', start: '20:00', end: '24:00' },
    { day: 'fri', start: '10:00', end: '11:00' }, { day: 'sat', start: '10:30', end: '11:30' },
  ], overrides: [{ date: '2027-02-30', kind: 'block' }, { date: '2027-03-01', kind: 'block', start: '12:00', end: '11:00' },
    { date: '2027-03-02', kind: 'replace', windows: [{ start: '08:00', end: '0900' }] }] } } })
  assert.deepEqual(m.validate(bad), {
    'schedules/default/weekly/0/start': 'time',
    'schedules/default/weekly/2/end': 'endAfterStart',
    'schedules/default/weekly/3/start': 'time',
    'schedules/default/overrides/0/date': 'date',
    'schedules/default/overrides/1/end': 'endAfterStart',
    'schedules/default/overrides/2/windows/0/end': 'time',
  }, 'a window with a bad start is not also called an overlap')
  const overlap = m.updateWindow(bad, 'default', 0, 'start', '09:00')
  assert.equal(m.validate(overlap)['schedules/default/weekly/1/start'], 'overlap')
  assert.deepEqual(m.validate(saved), {})

  // A vacation: one whole-day block per date, dates already blocked kept once.
  assert.deepEqual(m.datesOf('2027-12-30', '2028-01-02'), ['2027-12-30', '2027-12-31', '2028-01-01', '2028-01-02'])
  assert.equal(m.datesOf('2027-01-02', '2027-01-01'), null)
  assert.equal(m.datesOf('2027-01-01', '2028-01-02'), null, 'more than 366 days')
  let o = m.addOverrides(saved, 'default', { kind: 'block-day', from: '2027-12-31' })
  o = m.addOverrides(o.edits, 'default', { kind: 'block-range', from: '2027-12-30', to: '2028-01-02' })
  assert.deepEqual(o.added.map((x) => x.date), ['2027-12-30', '2028-01-01', '2028-01-02'])
  assert.deepEqual(o.edits.schedules.default.overrides.map((x) => x.date), ['2027-12-30', '2027-12-31', '2028-01-01', '2028-01-02'])
  assert.deepEqual(m.addOverrides(saved, 'default', { kind: 'block-range', from: '2027-01-05', to: '2027-01-01' }).errors, { to: 'rangeOrder' })
  assert.deepEqual(m.addOverrides(saved, 'default', { kind: 'block-range', from: '2027-1-5', to: '' }).errors, { from: 'date', to: 'date' })
  assert.deepEqual(m.addOverrides(saved, 'default', { kind: 'block-hours', from: '2027-01-05', start: '12:00', end: '11:00' }).errors, { end: 'endAfterStart' })
  assert.deepEqual(m.addOverrides(saved, 'default', { kind: 'add', from: '2027-01-09', start: '25:00', end: '24:00' }).errors, { start: 'time' })
  assert.deepEqual(m.addOverrides(saved, 'default', { kind: 'replace', from: '2027-01-05', windows: [{ start: '08:00', end: '10:00' }, { start: '09:00', end: '11:00' }] }).errors,
    { 'windows/1/start': 'overlap' })
  o = m.addOverrides(o.edits, 'default', { kind: 'add', from: '2027-12-31', start: '10:00', end: '12:00' })
  assert.deepEqual(o.edits.schedules.default.overrides[2], { date: '2027-12-31', kind: 'add', start: '10:00', end: '12:00' }, 'after the block of that date')
  o = m.addOverrides(o.edits, 'default', { kind: 'add', from: '2028-01-08', start: '10:00', end: '12:00' })
  o = m.addOverrides(o.edits, 'default', { kind: 'replace', from: '2027-06-01', windows: [{ start: '08:00', end: '10:00' }] })
  o = m.addOverrides(o.edits, 'default', { kind: 'replace', from: '2027-06-01', windows: [] })
  assert.deepEqual(o.edits.schedules.default.overrides.filter((x) => x.date === '2027-06-01'), [{ date: '2027-06-01', kind: 'replace', windows: [] }], 'a replace stands in for the earlier one')
  assert.equal(m.removeOverride(o.edits, 'default', 0).schedules.default.overrides.length, o.edits.schedules.default.overrides.length - 1)
  assert.deepEqual(m.validate(o.edits), {})

  // The engine's view of the edits, and the preview from it.
  const mod = await nodeEngine()
  const snapshot = m.engineSnapshot(provider, 'p1', o.edits, [])
  assert.deepEqual(Object.keys(snapshot.services[0]).sort(), ['durations', 'id', 'min_notice_minutes'])
  const now = Date.parse('2027-12-27T06:00:00Z') // a Monday
  const q = m.previewQuery('consult', 'America/New_York', now, 14)
  assert.deepEqual([q.from, q.to, q.now], ['2027-12-27', '2028-01-09', '2027-12-27T06:00:00Z'])
  const engine = new mod.Engine(JSON.stringify(snapshot))
  const answer = JSON.parse(engine.slots(JSON.stringify({ ...q, time_zone: 'Europe/Berlin' })))
  assert.ok(answer.slots, JSON.stringify(answer))
  engine.delete()
  const days = m.byDate(answer.slots)
  const dates = days.map((d) => d.date)
  for (const blocked of ['2027-12-30', '2027-12-31', '2028-01-01', '2028-01-02']) assert.ok(!dates.includes(blocked), `${blocked} is blocked (a whole-day block outweighs added hours)`)
  assert.deepEqual(days.find((d) => d.date === '2028-01-08').slots.map((s) => s.local_start), ['10:00', '10:30', '11:00', '11:30'], 'hours added on a day off')
  assert.equal(days.find((d) => d.date === '2027-12-27').slots.length, 16)

  // Orphans: a Monday 16:00 booking is outside once Monday ends at 12:00; a
  // cancelled one, one already outside before and a past one are not listed.
  const booking = (id, start, minutes, status = 'CONFIRMED', service = 'consult') => ({
    id, service, status, start, end: new Date(Date.parse(start) + minutes * 60000).toISOString().slice(0, 17) + '00Z', duration_minutes: minutes,
  })
  const bookings = [
    booking('late', '2028-01-03T15:00:00Z', 30), // Monday 16:00 Berlin
    booking('early', '2028-01-03T08:00:00Z', 60), // Monday 09:00
    booking('gone', '2028-01-03T15:30:00Z', 30, 'CANCELLED'),
    booking('sat', '2028-01-08T10:00:00Z', 30), // Saturday: outside already
    booking('past', '2027-12-20T15:00:00Z', 30),
    booking('pending', '2028-01-10T15:30:00Z', 30, 'PENDING'),
    booking('other', '2028-01-10T15:30:00Z', 30, 'HELD', 'no-such-service'),
  ]
  const shorter = { ...saved, schedules: { default: { ...saved.schedules.default, weekly: saved.schedules.default.weekly.map((w) => (w.day === 'mon' ? { ...w, end: '12:00' } : w)) } } }
  assert.deepEqual(m.orphanedBookings(mod, provider, 'p1', shorter, bookings, now).map((b) => b.id), ['late', 'pending'])
  assert.deepEqual(m.orphanedBookings(mod, provider, 'p1', saved, bookings, now), [], 'no change, no orphans')
  const vacation = m.addOverrides(saved, 'default', { kind: 'block-range', from: '2028-01-03', to: '2028-01-04' }).edits
  assert.deepEqual(m.orphanedBookings(mod, provider, 'p1', vacation, bookings, now).map((b) => b.id), ['early', 'late'])
  // A grid moved by a quarter hour leaves 09:00 inside hours: not an orphan.
  const moved = { ...saved, schedules: { default: { ...saved.schedules.default, weekly: saved.schedules.default.weekly.map((w) => ({ ...w, start: '08:45' })) } } }
  assert.deepEqual(m.orphanedBookings(mod, provider, 'p1', moved, bookings, now), [])
  // Hours given back by an override keep the booking.
  const added2 = m.addOverrides(shorter, 'default', { kind: 'add', from: '2028-01-03', start: '15:00', end: '17:00' }).edits
  assert.deepEqual(m.orphanedBookings(mod, provider, 'p1', added2, bookings, now).map((b) => b.id), ['pending'])
})
