-- A hazard's state and its whole action log, oldest first, with the actions the caller's
-- role could take next. $1 hazard id, $2 role. No row when the hazard does not exist.
SELECT jsonb_build_object(
           'hazard_id', h.id, 'name', h.name, 'status', h.status,
           'risk_grade', h.risk_grade, 'accident_grade', h.accident_grade,
           'danger_level', h.danger_level,
           'major', hazard_is_major(h.accident_grade, h.risk_grade),
           'plan', jsonb_build_object('measures', h.rectification_measures,
                                      'responsible_unit', h.responsible_unit,
                                      'deadline', h.deadline),
           'overdue', h.overdue, 'escalation_level', h.escalation_level,
           'escalated_at', h.escalated_at, 'version', h.version,
           'next_actions', coalesce((
               SELECT jsonb_agg(jsonb_build_object('action', t.action, 'to_status', t.to_status,
                                                   'label_zh', t.label_zh, 'roles', t.roles,
                                                   'takes_plan', t.takes_plan,
                                                   'allowed_for_you', $2 = ANY (t.roles))
                                ORDER BY t.action)
                 FROM hazard_transitions t WHERE t.from_status = h.status), '[]'),
           'actions', coalesce((
               SELECT jsonb_agg(jsonb_build_object(
                          'id', a.id, 'action', a.action, 'from_status', a.from_status,
                          'to_status', a.to_status, 'actor', a.actor, 'role', a.role,
                          'at', a.at, 'note', a.note, 'photos', a.photos, 'plan', a.plan,
                          'escalation_level', a.escalation_level) ORDER BY a.id)
                 FROM hazard_actions a WHERE a.hazard_id = h.id), '[]'))::text,
       h.version
  FROM hazards h
 WHERE h.id = $1::bigint
