# GET /api/me: the signed-in teacher's profile.
# Per request: bearer-token decryption (data protection), the security-stamp check (memory cache,
# refreshed from the database every 30 s) and one SELECT of the teacher's row by primary key.
METHOD=GET
URL_PATH=/api/me
