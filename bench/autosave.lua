-- wrk script for bench/saves.py. One wrk thread has one connection and one worksheet (or
-- floor row), and saves it over and over, each save naming the version the last answer
-- gave, as the page does. At the end every thread reports its last acknowledged text, so
-- the benchmark can check that it is what the database holds.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

function init(args)
  -- BENCH_TARGETS: one line per thread, "path version" (the version stored now).
  local targets = {}
  for line in io.lines(os.getenv("BENCH_TARGETS")) do table.insert(targets, line) end
  local found_path, found_version = string.match(targets[index], "^(%S+)%s+(%d+)$")
  path, version = found_path, tonumber(found_version)
  kind = os.getenv("BENCH_KIND")
  n, saves, errors, acked, sent = 0, 0, 0, "", ""
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
  wrk.headers["X-CSRFToken"] = os.getenv("BENCH_CSRF")
end

function request()
  n = n + 1
  sent = "save " .. index .. "." .. version .. "." .. n
  local body
  if kind == "app" then
    body = '{"version":' .. version .. ',"step":"focus","fields":{"segment":"' .. sent ..
           '","value_proposition":""}}'
  else
    body = '{"version":' .. version .. ',"value":"' .. sent .. '"}'
  end
  return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
  if status == 200 then
    -- The protocol's answer ends with its version ({..., "version": N}).
    version = tonumber(string.match(body, '"version":%s*(%d+)%s*}%s*$'))
    acked = sent
    saves = saves + 1
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    -- The last text sent may be stored without its answer read: wrk stopped in between.
    io.write(string.format("ACK\t%d\t%s\t%d\t%d\t%d\t%s\n", t:get("index"), t:get("acked"),
                           t:get("version"), t:get("saves"), t:get("errors"), t:get("sent")))
  end
end
