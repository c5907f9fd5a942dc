# GET /api/places/near: the 10 places nearest a random point, among 1,000,000 random places (override
# with NEAR_PLACES=n). Setup generates the CSV with awk, imports it through POST /api/places/import (the
# real streaming import) and prints the import rate; the wrk script asks at a new random point each time.
setup() {
    local count=${NEAR_PLACES:-1000000} csv="$WORK/places.csv" accepted location status started finished
    awk -v n="$count" 'BEGIN {
        srand(20261121); print "name,category,lat,lon,timezone,hours";
        split("library,museum,park,shop,school,cafe", kinds, ",");
        for (i = 1; i <= n; i++) {
            lat = (asin(2 * rand() - 1)) * 57.29577951308232;   # uniform over the sphere
            printf "Place %d,%s,%.6f,%.6f,UTC,Mo-Fr 09:00-17:00\n", i, kinds[1 + int(rand() * 6)], lat, rand() * 360 - 180;
        }
    }
    function asin(x) { return atan2(x, sqrt(1 - x * x)) }' >"$csv"
    echo "   generated $count places ($(du -h "$csv" | cut -f1)); importing"
    started=$(date +%s.%N)
    accepted=$(curl -sS --fail -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' --data-binary "@$csv" "$BASE_URL/api/places/import")
    location=/api/places/imports/$(printf '%s' "$accepted" | json_get id)
    while :; do
        status=$(api GET "$location")
        case "$(printf '%s' "$status" | json_get status)" in
            running) sleep 0.5 ;;
            done) break ;;
            *) echo "run.sh: the import ended: $status" >&2; return 1 ;;
        esac
    done
    finished=$(date +%s.%N)
    # The index catches up right after the import; one query waits for that.
    api GET "/api/places/near?lat=0&lon=0&limit=1" >/dev/null
    awk -v n="$count" -v s="$started" -v f="$finished" -v i="$(printf '%s' "$status" | json_get imported)" \
        'BEGIN { printf "   imported %d of %d rows in %.1f s: %.0f rows/s (upload, parse, validate, durable inserts)\n", i, n, f - s, i / (f - s) }'
    METHOD=GET
    URL_PATH="/api/places/near?lat=48.85&lon=2.35&limit=10"
    if [[ ${NEAR_SIGNED_IN:-0} == 1 ]]; then LUA_PRELUDE="signed_in = true"; fi
}
