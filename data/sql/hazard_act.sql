-- One lifecycle action on a hazard (rules: hazard_transitions; logic: hazard_act in 005).
-- $1 hazard id, $2 action, $3 actor (token id), $4 role, $5 scope prefix, $6 note,
-- $7 photos (JSON array of references), $8 plan (JSON object or NULL).
SELECT jsonb_build_object(
           'id', a.id, 'hazard_id', a.hazard_id, 'action', a.action,
           'from_status', a.from_status, 'to_status', a.to_status,
           'actor', a.actor, 'role', a.role, 'at', a.at, 'note', a.note,
           'photos', a.photos, 'plan', a.plan)::text,
       h.version
  FROM hazard_act($1::bigint, $2, $3, $4, $5, $6, coalesce($7::jsonb, '[]'), $8::jsonb) a
  JOIN hazards h ON h.id = a.hazard_id
