-- The key_places collection's rows (Art. 42, 44). Wrapped as `(…) f` by the OGC API.
SELECT id, code, name, category, village_code, security_staff, has_video, has_alarm,
       has_emergency_plan, geom, version, created_at, updated_at
FROM key_places
