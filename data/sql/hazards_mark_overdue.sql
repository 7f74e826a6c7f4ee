-- The deadline check the server runs every overdue_check_s seconds (logic: 005_hazards.sql).
SELECT hazards_mark_overdue(now())
