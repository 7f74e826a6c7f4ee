/* geo_in_china / geo_in_jiangxi: the coarse boxes that catch swapped axes and wrong CRSs. */
#include "test_geo.h"

START_TEST(test_bounds_in_china)
{
    ck_assert(geo_in_china(115.8575, 28.682)); /* Nanchang */
    ck_assert(geo_in_china(87.6, 43.8));       /* Urumqi */
    ck_assert(!geo_in_china(-0.1276, 51.5072));
    ck_assert(!geo_in_china(28.682, 115.8575)); /* swapped */
}
END_TEST

START_TEST(test_bounds_in_jiangxi)
{
    ck_assert(geo_in_jiangxi(115.7, 28.5, 116.1, 28.9));                  /* Nanchang */
    ck_assert(geo_in_jiangxi(113.5, 24.4, 118.5, 30.1));                  /* the envelope itself */
    ck_assert(!geo_in_jiangxi(116.2, 39.8, 116.6, 40.1));                 /* Beijing */
    ck_assert(!geo_in_jiangxi(28.5, 115.7, 28.9, 116.1));                 /* swapped axes */
    ck_assert(!geo_in_jiangxi(438123.0, 3170456.0, 438200.0, 3170500.0)); /* metres */
    ck_assert(!geo_in_jiangxi(116.0, 28.0, 115.0, 29.0));                 /* inverted box */
}
END_TEST

Suite *bounds_suite(void)
{
    Suite *s = suite_create("bounds");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_bounds_in_china);
    tcase_add_test(tc, test_bounds_in_jiangxi);
    suite_add_tcase(s, tc);
    return s;
}
