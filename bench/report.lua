-- wrk hook: one JSON line with the figures the benchmark table needs (latencies in microseconds).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"p50": %d, "p95": %d, "requests": %d, "errors": %d, "duration_us": %d}\n',
    latency:percentile(50), latency:percentile(95), summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, summary.duration))
end
