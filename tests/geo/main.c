/* Runs every geo/ suite; CK_RUN_SUITE / CK_RUN_CASE pick one, CK_FORK=no eases debugging. */
#include <stdlib.h>

#include "test_geo.h"

int main(void)
{
    SRunner *sr = srunner_create(ctx_suite());
    srunner_add_suite(sr, geom_io_suite());
    srunner_add_suite(sr, validate_suite());
    srunner_add_suite(sr, repair_suite());
    srunner_add_suite(sr, gcj02_suite());
    srunner_add_suite(sr, bounds_suite());
    srunner_add_suite(sr, crs_suite());
    srunner_add_suite(sr, counties_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
