/* geo_ctx: one per thread, and then threads do not disturb each other. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "test_geo.h"

#define THREADS 4
#define ROUNDS  200

static void *repair_many(void *arg)
{
    (void)arg;
    core_err err = {0};
    geo_ctx *own = geo_ctx_create(&err);
    if (!own)
        return "no ctx";
    const char *failure = NULL;
    for (int i = 0; i < ROUNDS && !failure; i++) {
        geo_geom *g = geo_from_wkt(own, "POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))", NULL, &err);
        geo_geom *fixed = NULL;
        if (!g || geo_repair(own, g, &fixed, NULL, &err) != CORE_OK) {
            failure = "repair failed";
        } else {
            char *text = geo_to_wkt(own, fixed, -1, &err);
            if (!text || strcmp(text, "MULTIPOLYGON (((5 5, 10 10, 10 0, 5 5)), ((0 0, 0 10, 5 5, "
                                      "0 0)))") != 0)
                failure = "wrong result";
            free(text);
        }
        geo_geom_free(own, fixed);
        geo_geom_free(own, g);
        /* A failing transform in the middle must not leak its message to other threads. */
        double x = 116, y = 95;
        if (geo_crs_transform_xy(own, "EPSG:4490", "EPSG:3857", &x, &y, &err) != CORE_ECRS)
            failure = "transform should fail";
    }
    geo_ctx_free(own);
    return (void *)failure;
}

START_TEST(test_ctx_threads_each_with_own_ctx)
{
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, repair_many, NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        void *failure;
        ck_assert_int_eq(pthread_join(threads[i], &failure), 0);
        ck_assert_msg(failure == NULL, "thread %d: %s", i, (const char *)failure);
    }
}
END_TEST

START_TEST(test_ctx_create_free)
{
    core_err err = {0};
    geo_ctx *c = geo_ctx_create(&err);
    ck_assert_ptr_nonnull(c);
    geo_ctx_free(c);
    geo_ctx_free(NULL);
}
END_TEST

Suite *ctx_suite(void)
{
    Suite *s = suite_create("ctx");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ctx_create_free);
    tcase_add_test(tc, test_ctx_threads_each_with_own_ctx);
    suite_add_tcase(s, tc);
    return s;
}
