-- What a direct bulk load of population units (importers/run.c) does once, in place of the
-- statement triggers of an insert. Those triggers each read the statement's transition table:
-- tile invalidation, coverage marking and the change event took about two seconds of a
-- million-building import, and filling the transition table a few tenths more. The importer
-- already holds every feature's extent as it reads the file, so it drops the three triggers
-- for the rest of the load and creates them again at its end (inside the load's transaction:
-- a failure or kill brings them back with everything else), and hands this function the
-- extent of the loaded features in each cell of its grid, which is what the triggers compute
-- for an insert of more than 10,000 rows (015, 012): the same tile boxes, the same villages
-- marked, and one event for all the rows.

-- boxes: the extents, four numbers each (west, south, east, north) in CGCS2000 degrees;
-- n: how many rows were loaded.
CREATE FUNCTION units_bulk_inserted(boxes double precision[], n bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    cells geometry[];
    codes text[];
BEGIN
    IF n = 0 OR cardinality(boxes) < 4 THEN
        RETURN;
    END IF;
    cells := ARRAY(SELECT ST_MakeEnvelope(boxes[i], boxes[i + 1], boxes[i + 2], boxes[i + 3], 4490)
                     FROM generate_series(1, cardinality(boxes) - 3, 4) i);
    PERFORM tile_send('population_units', 0, 30, '-', tile_box(c)) FROM unnest(cells) c;
    -- households count toward the grids holding a unit: the villages of the grids meeting
    -- each cell's extent, as ana_mark_units (015) does for a big insert
    SELECT array_agg(DISTINCT g.village_code) INTO codes
      FROM unnest(cells) c JOIN grids g ON g.geom && c AND ST_Intersects(g.geom, c);
    PERFORM ana_mark(codes);
    PERFORM pg_notify('pingan_events', json_build_object(
        'collection', 'population_units', 'id', NULL, 'op', 'insert', 'count', n,
        'bbox', pingan_events_bbox(ST_Extent(c)))::text)
       FROM unnest(cells) c;
END $$;

-- Most buildings come without a village code: index only those that have one. Every lookup
-- by village code (the foreign key's checks and cascades among them) asks for a value, which
-- a NULL never equals, so the partial index serves them all; a bulk load of a million
-- buildings without codes builds it in milliseconds instead of half a second.
DROP INDEX population_units_village_idx;
CREATE INDEX population_units_village_idx ON population_units (village_code)
    WHERE village_code IS NOT NULL;
