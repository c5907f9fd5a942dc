-- Each request asks at a new random point, uniform over the sphere.
math.randomseed(os.time())
request = function()
    local lat = math.deg(math.asin(2 * math.random() - 1))
    local lon = math.random() * 360 - 180
    return wrk.format(nil, string.format("/api/places/near?lat=%.5f&lon=%.5f&limit=10", lat, lon))
end
