-- wrk script: POST /v1/bookings at a steady mix of fresh slots and slots
-- that are already taken (CONFLICT_SHARE of the requests), for provider
-- `bench` or, with PROVIDERS=N, spread over bench0..bench<N-1>. Each request has
-- its own Idempotency-Key. Fresh slots are unique per thread and counter:
-- 5-minute slots 20 minutes apart, the threads' (WRK_THREADS, default 2)
-- interleaved, counted from FRESH_BASE (epoch seconds), at most FRESH_SLOTS
-- of them (default 28,800: 400 days). A run that needs more asks for 1970,
-- which the server refuses (400, counted under "other"): it shows as a
-- failed run rather than booking into the next run's window.
local thread_counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", thread_counter)
  thread_counter = thread_counter + 1
  table.insert(threads, thread)
end

function init(args)
  i = 0
  created, taken, other = 0, 0, 0
  fresh_base = tonumber(os.getenv("FRESH_BASE"))
  taken_base = tonumber(os.getenv("TAKEN_BASE"))
  taken_count = tonumber(os.getenv("TAKEN_COUNT"))
  conflict_share = tonumber(os.getenv("CONFLICT_SHARE") or "0.5")
  providers = tonumber(os.getenv("PROVIDERS") or "1")
  thread_count = tonumber(os.getenv("WRK_THREADS") or "2")
  fresh_slots = tonumber(os.getenv("FRESH_SLOTS") or "28800")
  fresh = 0
  math.randomseed(thread_id * 7919 + 1)
end

function request()
  i = i + 1
  local start
  if math.random() < conflict_share then
    start = taken_base + math.random(0, taken_count - 1) * 300
  else
    -- 20 minutes apart, a busy practice's calendar rather than a packed one
    local slot = fresh * thread_count + thread_id
    fresh = fresh + 1
    if slot >= fresh_slots then
      -- past the window: a day the engine refuses (400), counted as "other"
      start = 0
    else
      start = fresh_base + slot * 1200
    end
  end
  local provider = "bench"
  if providers > 1 then provider = "bench" .. math.random(0, providers - 1) end
  -- A client per request, in every run against the same database (FRESH_BASE
  -- differs per run): the server caps one client's open bookings per provider.
  local body = string.format('{"provider":"%s","service":"s5","start":"%s","client":{"name":"Bench","email":"bench%d-%d-%d@example.com"}}',
    provider, os.date("!%Y-%m-%dT%H:%M:00Z", start), thread_id, i, fresh_base)
  return wrk.format("POST", "/v1/bookings", {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", thread_id, i, fresh_base),
  }, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 409 then taken = taken + 1
  else
    other = other + 1
    if other < 3 then io.stderr:write("unexpected " .. status .. " " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local c, t, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created"); t = t + thread:get("taken"); o = o + thread:get("other")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d created=%d taken=%d other=%d bookings_per_s=%.1f requests_per_s=%.1f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, c, t, o, c / seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
