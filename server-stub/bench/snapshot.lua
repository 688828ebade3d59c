-- wrk script: GET snapshots and report the rate and latency.
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d errors=%d requests_per_s=%.1f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.errors.status, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
