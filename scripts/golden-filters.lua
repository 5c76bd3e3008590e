-- Loaded by scripts/golden-filters.sh into tshark (-X lua_script:…): one tap per display filter,
-- so one tshark run evaluates the whole suite over a capture. A tap's filter is tshark's
-- display-filter engine, the same one -Y uses. Prints "index<TAB>frame,frame,…" per valid filter
-- and "index<TAB>!error<TAB>message" per filter tshark rejects.
local path = os.getenv("GOLDEN_FILTERS")
local results = {}
local index = 0
for filter in io.lines(path) do
  index = index + 1
  local i = index
  local ok, listener = pcall(Listener.new, "frame", filter)
  if ok then
    local frames, seen = {}, {}
    results[i] = frames
    listener.packet = function(pinfo)
      if not seen[pinfo.number] then
        seen[pinfo.number] = true
        frames[#frames + 1] = pinfo.number
      end
    end
  else
    results[i] = tostring(listener):gsub("[\r\n]+", " ")
  end
end
local count = index
-- A last tap without a filter: its draw runs after every packet has been seen.
local done = Listener.new("frame")
done.draw = function()
  for i = 1, count do
    local r = results[i]
    if type(r) == "table" then
      table.sort(r)
      io.write(i, "\t", table.concat(r, ","), "\n")
    else
      io.write(i, "\t!error\t", r, "\n")
    end
  end
end
