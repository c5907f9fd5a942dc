-- Each request picks in the next class of the list.
local turn = 0
request = function()
    turn = turn + 1
    local class = classes[(turn % #classes) + 1]
    return wrk.format(nil, "/api/classes/" .. class .. "/picks")
end
