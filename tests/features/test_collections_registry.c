/* The collection registry on its own: every collection the API promises, properties that
 * match what the registry says about them, CRS names in every accepted spelling, and who may
 * see personal data. */
#include "collections.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_registry_has_the_seven_collections)
{
    /* the seven feature collections, then the three read-only analysis results (issue 5) */
    const char *ids[] = {"jurisdictions",    "grids",         "grid_workers",
                         "key_places",       "hazards",       "cameras",
                         "population_units", "coverage_gaps", "coverage_overlaps",
                         "staffing_findings"};
    ck_assert_int_eq(srv_coll_count(), 10);
    for (int i = 0; i < 10; i++) {
        const srv_coll *c = srv_coll_find(ids[i]);
        ck_assert_ptr_nonnull(c);
        ck_assert_ptr_eq(c, srv_coll_at(i));
        ck_assert_ptr_nonnull(c->table);
        ck_assert_ptr_nonnull(c->jurisdiction_column);
        ck_assert(c->nprops > 0);
        ck_assert_msg((c->geom_column == NULL) == (c->geom_type == NULL), "%s geometry", c->id);
    }
    ck_assert_ptr_null(srv_coll_find("grid"));
    ck_assert_ptr_null(srv_coll_find(NULL));
    ck_assert_ptr_null(srv_coll_find("grid_workers")->geom_column);
}
END_TEST

START_TEST(test_property_flags_are_consistent)
{
    for (int i = 0; i < srv_coll_count(); i++) {
        const srv_coll *c = srv_coll_at(i);
        for (int k = 0; k < c->nprops; k++) {
            const srv_coll_prop *p = &c->props[k];
            /* personal data is never filterable, sortable or queryable */
            if (p->flags & SRV_PF_PERSONAL)
                ck_assert_msg(!(p->flags & (SRV_PF_FILTER | SRV_PF_SORT | SRV_PF_QUERY)), "%s.%s",
                              c->id, p->name);
            /* names are unique and are never a standard items parameter */
            ck_assert_ptr_eq(srv_coll_prop_find(c, p->name), p);
            const char *reserved[] = {"limit",    "offset", "bbox", "crs",
                                      "datetime", "sortby", "f",    "jurisdiction"};
            for (size_t r = 0; r < sizeof reserved / sizeof reserved[0]; r++)
                ck_assert_str_ne(p->name, reserved[r]);
        }
    }
    const srv_coll_prop *kind = srv_coll_prop_find(srv_coll_find("grids"), "kind");
    ck_assert(srv_coll_prop_enum_ok(kind, "dedicated"));
    ck_assert(!srv_coll_prop_enum_ok(kind, "Dedicated"));
    const srv_coll_prop *phone = srv_coll_prop_find(srv_coll_find("grid_workers"), "phone");
    ck_assert(phone->flags & SRV_PF_PERSONAL);
}
END_TEST

START_TEST(test_crs_found_by_every_spelling)
{
    ck_assert_int_eq(srv_crs_find("http://www.opengis.net/def/crs/EPSG/0/4547")->srid, 4547);
    ck_assert_int_eq(srv_crs_find("EPSG:4548")->srid, 4548);
    ck_assert_int_eq(srv_crs_find("[EPSG:3857]")->srid, 3857);
    ck_assert(!srv_crs_find("CRS84")->lat_first);
    ck_assert(srv_crs_find("EPSG:4326")->lat_first);
    ck_assert(srv_crs_find("EPSG:4490")->lat_first);
    ck_assert(srv_crs_find("EPSG:4547")->lat_first); /* northing, easting per EPSG */
    ck_assert(!srv_crs_find("EPSG:3857")->lat_first);
    ck_assert_ptr_null(srv_crs_find("EPSG:45"));
    ck_assert_ptr_null(srv_crs_find("EPSG:45470"));
    ck_assert_ptr_null(srv_crs_find("EPSG:4610"));
    ck_assert_ptr_null(srv_crs_find("["));
    ck_assert_ptr_null(srv_crs_find(""));
    ck_assert_ptr_null(srv_crs_find("http://www.opengis.net/def/crs/EPSG/0/2383"));
}
END_TEST

START_TEST(test_personal_data_only_for_admin_and_planner_in_scope)
{
    ck_assert(srv_coll_personal_visible("admin", "", "360502001001"));
    ck_assert(srv_coll_personal_visible("planner", "360502", "360502001001"));
    ck_assert(!srv_coll_personal_visible("planner", "360521", "360502001001"));
    ck_assert(!srv_coll_personal_visible("viewer", "", "360502001001"));
    ck_assert(!srv_coll_personal_visible("importer", "36", "360502001001"));
    ck_assert(!srv_coll_personal_visible("anonymous", "", "360502001001"));
    ck_assert(!srv_coll_personal_visible(NULL, NULL, "360502001001"));
    const srv_coll *g = srv_coll_find("grids");
    ck_assert(srv_coll_readable(g, "anonymous", true));
    ck_assert(!srv_coll_readable(g, "anonymous", false));
    ck_assert(srv_coll_readable(g, "viewer", false));
    char etag[64];
    srv_coll_etag(etag, sizeof etag, "42", "7");
    ck_assert_str_eq(etag, "\"42-7\"");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("collections_registry");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, test_registry_has_the_seven_collections);
    tcase_add_test(tc, test_property_flags_are_consistent);
    tcase_add_test(tc, test_crs_found_by_every_spelling);
    tcase_add_test(tc, test_personal_data_only_for_admin_and_planner_in_scope);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
