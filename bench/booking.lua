-- wrk script for bench/scale.py: each request books a place as one of the signed-in
-- people, on one of the sessions, never the same person on the same session twice.
-- Arguments (after --): a file of lines "cookie<TAB>csrf token", a file of session ids,
-- and how many threads wrk runs.

local people, sessions = {}, {}
local made = 0
local threads, sent = 1, 0
-- Which thread this is: setup() sets it in each thread's state.
id = 0

function setup(thread)
  thread:set("id", made)
  made = made + 1
end

local function lines(path)
  local found = {}
  for line in io.lines(path) do
    if line ~= "" then found[#found + 1] = line end
  end
  return found
end

function init(args)
  for _, line in ipairs(lines(args[1])) do
    local cookie, token = line:match("([^\t]+)\t([^\t]+)")
    people[#people + 1] = { cookie = cookie, token = token }
  end
  sessions = lines(args[2])
  threads = tonumber(args[3])
end

function request()
  -- Numbers unique across the threads: thread t sends t, t + threads, t + 2 threads...
  local k = sent * threads + id
  sent = sent + 1
  local person = people[k % #people + 1]
  local session = sessions[math.floor(k / #people) % #sessions + 1]
  return wrk.format("POST", "/sessions/" .. session .. "/book", {
    ["Cookie"] = person.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "csrf_token=" .. person.token .. "&access_needs=")
end
