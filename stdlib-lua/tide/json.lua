--- A small JSON decoder for what cloud CLIs print (aws, gcloud, az, supabase with JSON
-- output). Objects become tables, arrays 1-based lists, null becomes json.null.
-- @module tide.json
local M = {}

M.null = setmetatable({}, { __tostring = function() return "null" end })

local escapes = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

local function fail(text, pos, what)
  local line = select(2, text:sub(1, pos):gsub("\n", "")) + 1
  error(string.format("json: %s at line %d (byte %d)", what, line, pos), 0)
end

local function skip(text, pos)
  return text:find("[^ \t\r\n]", pos) or #text + 1
end

local decode_value

local function decode_string(text, pos)
  local out, i = {}, pos + 1
  while true do
    local c = text:sub(i, i)
    if c == "" then fail(text, pos, "unterminated string") end
    if c == '"' then return table.concat(out), i + 1 end
    if c == "\\" then
      local e = text:sub(i + 1, i + 1)
      if e == "u" then
        local code = tonumber(text:sub(i + 2, i + 5), 16)
        if not code then fail(text, i, "bad \\u escape") end
        if code < 0x80 then
          out[#out + 1] = string.char(code)
        elseif code < 0x800 then
          out[#out + 1] = string.char(0xC0 + math.floor(code / 64), 0x80 + code % 64)
        else
          out[#out + 1] = string.char(0xE0 + math.floor(code / 4096), 0x80 + math.floor(code / 64) % 64, 0x80 + code % 64)
        end
        i = i + 6
      elseif escapes[e] then
        out[#out + 1] = escapes[e]
        i = i + 2
      else
        fail(text, i, "bad escape")
      end
    else
      local j = text:find('["\\]', i) or #text + 1
      out[#out + 1] = text:sub(i, j - 1)
      i = j
    end
  end
end

function decode_value(text, pos)
  pos = skip(text, pos)
  local c = text:sub(pos, pos)
  if c == "{" then
    local obj = {}
    pos = skip(text, pos + 1)
    if text:sub(pos, pos) == "}" then return obj, pos + 1 end
    while true do
      if text:sub(pos, pos) ~= '"' then fail(text, pos, "expected a key") end
      local key
      key, pos = decode_string(text, pos)
      pos = skip(text, pos)
      if text:sub(pos, pos) ~= ":" then fail(text, pos, "expected ':'") end
      obj[key], pos = decode_value(text, pos + 1)
      pos = skip(text, pos)
      local d = text:sub(pos, pos)
      if d == "}" then return obj, pos + 1 end
      if d ~= "," then fail(text, pos, "expected ',' or '}'") end
      pos = skip(text, pos + 1)
    end
  elseif c == "[" then
    local arr = {}
    pos = skip(text, pos + 1)
    if text:sub(pos, pos) == "]" then return arr, pos + 1 end
    while true do
      arr[#arr + 1], pos = decode_value(text, pos)
      pos = skip(text, pos)
      local d = text:sub(pos, pos)
      if d == "]" then return arr, pos + 1 end
      if d ~= "," then fail(text, pos, "expected ',' or ']'") end
      pos = pos + 1
    end
  elseif c == '"' then
    return decode_string(text, pos)
  elseif text:sub(pos, pos + 3) == "true" then
    return true, pos + 4
  elseif text:sub(pos, pos + 4) == "false" then
    return false, pos + 5
  elseif text:sub(pos, pos + 3) == "null" then
    return M.null, pos + 4
  end
  local num = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
  if not num or num == "" then fail(text, pos, "unexpected character") end
  return tonumber(num), pos + #num
end

--- Decode text; returns the value, or nil and a message.
function M.decode(text)
  if type(text) ~= "string" then return nil, "json: expected a string" end
  local ok, value, pos = pcall(decode_value, text, 1)
  if not ok then return nil, value end
  if skip(text, pos) <= #text then return nil, "json: trailing characters after the value" end
  return value
end

return M
