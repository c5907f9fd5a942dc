# POST /api/classes/{id}/picks: fair picks across 32 classes of 30 students, as a school's teachers
# would make them, each pick writing its history row. Requests go round the classes in turn, so
# concurrent picks mostly fall in different classes. (pick-one-class is the worst case: one class.)
# Per request: bearer-token check, the teacher's time zone, then one durable write: read who is
# present and who has had a turn this round, insert the pick (a new round every 30 picks).
setup() {
    local ids=() class_id i
    for i in $(seq 32); do
        class_id=$(api POST /api/classes "{\"name\":\"Bench class $i\"}" | json_get id)
        curl -sS -o /dev/null --fail -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/plain' \
            --data-binary "$(seq -f 'Student %g' 30)" "$BASE_URL/api/classes/$class_id/students/import"
        ids+=("$class_id")
    done
    METHOD=POST
    URL_PATH=/api/classes/${ids[0]}/picks
    BODY='{"mode":"fair"}'
    LUA_PRELUDE="classes = { $(IFS=,; echo "${ids[*]}") }"
}
