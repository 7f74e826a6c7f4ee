-- wrk script for bench/load.sh: reads, tiles and writes mixed (6 : 3 : 1), writes with the
-- bearer token from $PINGAN_LOAD_TOKEN. Counts every status outside 2xx/3xx as an error.
local token = os.getenv("PINGAN_LOAD_TOKEN") or ""
local n = 0
local reads = {
  "/collections/grids/items?limit=10",
  "/collections/hazards/items?limit=20&bbox=114.90,27.80,114.96,27.82",
  "/collections/jurisdictions/items?limit=5&jurisdiction=360502",
  "/collections/population_units/items?limit=10",
  "/locate?lon=114.91&lat=27.81",
  "/health",
}
local tiles = {
  "/tiles/grids,hazards,jurisdictions/12/3355/1718.mvt",
  "/tiles/jurisdictions/11/1677/859.mvt",
  "/tiles/hazards/14/13421/6873.mvt",
}
local errors = 0

request = function()
  n = n + 1
  local k = n % 10
  if k == 0 then
    local lon = 114.90 + (n % 900) * 0.00002 + 0.001
    local body = string.format(
      '{"type":"Feature","properties":{"name":"load %d","category":"landslide",' ..
      '"risk_grade":"yellow","village_code":"360502100200"},' ..
      '"geometry":{"type":"Point","coordinates":[%.6f,27.805]}}', n, lon)
    return wrk.format("POST", "/collections/hazards/items",
      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/geo+json"}, body)
  elseif k <= 3 then
    return wrk.format("GET", tiles[(n % #tiles) + 1], {["Accept-Encoding"] = "gzip"})
  end
  return wrk.format("GET", reads[(n % #reads) + 1])
end

response = function(status, headers, body)
  if status >= 400 then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("error " .. status .. ": " .. body:sub(1, 200) .. "\n") end
  end
end

done = function(summary, latency, requests)
  io.write(string.format("LOAD requests=%d errors_socket=%d errors_status=%d timeouts=%d " ..
    "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f rps=%.1f\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6)))
end
