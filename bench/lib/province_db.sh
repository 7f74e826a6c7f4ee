# Sourced by the tile benchmarks: points PINGAN_DATABASE_URL at the bench database $DB on the
# project's server, loads province-scale data into it when it has none (`pingan demo --scale
# province`, else bench/tiles_province.sql), prints what it holds and defines q() to query it.
# Needs TOP, PINGAN and DB.
base_url=$("$PINGAN" db url)
export PINGAN_DATABASE_URL=$(echo "$base_url" | sed -E "s#^(postgresql://[^/?]*/)[^?]*#\1$DB#")
"$PINGAN" db init >/dev/null
q() { psql -X -q -At "$PINGAN_DATABASE_URL" -c "$1"; }

if [ "$(q 'SELECT count(*) FROM grids')" -lt 50000 ]; then
    echo "loading province-scale data into $DB …"
    if ! "$PINGAN" demo --scale province >/dev/null 2>&1 || [ "$(q 'SELECT count(*) FROM grids')" -lt 50000 ]; then
        echo "(pingan demo --scale province not available: generating with bench/tiles_province.sql)"
        psql -X -q "$PINGAN_DATABASE_URL" -f "$TOP/bench/tiles_province.sql" >/dev/null
    fi
fi
echo "data: $(q "SELECT format('%s counties, %s townships, %s villages, %s grids, %s key places, %s hazards, %s cameras, %s population units',
  (SELECT count(*) FROM jurisdictions WHERE level = 'county' AND geom IS NOT NULL),
  (SELECT count(*) FROM jurisdictions WHERE level = 'township' AND geom IS NOT NULL),
  (SELECT count(*) FROM jurisdictions WHERE level = 'village' AND geom IS NOT NULL),
  (SELECT count(*) FROM grids), (SELECT count(*) FROM key_places), (SELECT count(*) FROM hazards),
  (SELECT count(*) FROM cameras), (SELECT count(*) FROM population_units))")"
