# POST /api/classes/{id}/picks: every connection picking in ONE class of 30 students, the worst case:
# picks in one class must take turns (one round, no student twice), so they are strictly serialised.
setup() {
    local class_id
    class_id=$(api POST /api/classes '{"name":"Bench class"}' | json_get id)
    curl -sS -o /dev/null --fail -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/plain' \
        --data-binary "$(seq -f 'Student %g' 30)" "$BASE_URL/api/classes/$class_id/students/import"
    METHOD=POST
    URL_PATH=/api/classes/$class_id/picks
    BODY='{"mode":"fair"}'
}
