-- Each request asks at a new random point, uniform over the sphere, as an anonymous visitor (a store
-- locator's usual caller; set NEAR_SIGNED_IN=1 when running bench/run.sh to send the bench teacher's token).
math.randomseed(os.time())
if not signed_in then
    wrk.headers["Authorization"] = nil
end
request = function()
    local lat = math.deg(math.asin(2 * math.random() - 1))
    local lon = math.random() * 360 - 180
    return wrk.format(nil, string.format("/api/places/near?lat=%.5f&lon=%.5f&limit=10", lat, lon))
end
