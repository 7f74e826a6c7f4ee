/* The extents a bulk load gathers cell by cell (importers/cells.c), which stand in for the
 * database's insert triggers: every feature's box lies inside the box of some cell, and a file
 * scattered over more cells than the limit gets coarser cells, not more memory. */
#include "harness.h"
#include "imp_internal.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* The cells as parsed back from imp_cells_array: n boxes of four numbers (caller frees). */
static double *cells_of(const imp_cells *c, size_t *n)
{
    core_buf b = {0};
    core_err err = {0};
    ck_assert_int_eq(imp_cells_array(c, &b, &err), CORE_OK);
    ck_assert_int_eq(b.data[0], '{');
    double *v = malloc((c->n * 4 + 1) * sizeof *v);
    size_t k = 0;
    for (char *p = b.data + 1, *end; *p && *p != '}'; p = *end == ',' ? end + 1 : end) {
        ck_assert_uint_lt(k, c->n * 4);
        v[k++] = strtod(p, &end);
        ck_assert_ptr_ne(end, p);
    }
    core_buf_free(&b);
    ck_assert_uint_eq(k % 4, 0);
    *n = k / 4;
    return v;
}

static bool inside(const double *cells, size_t n, const double box[4])
{
    for (size_t i = 0; i < n; i++) {
        const double *c = cells + 4 * i;
        if (c[0] <= box[0] && c[1] <= box[1] && c[2] >= box[2] && c[3] >= box[3])
            return true;
    }
    return false;
}

START_TEST(test_cells_hold_the_extent_of_their_features)
{
    imp_cells c = {0};
    core_err err = {0};
    /* three buildings in one 0.05° cell, one in the next, one straddling a cell edge */
    const double boxes[][4] = {{114.901, 27.801, 114.902, 27.802},
                               {114.921, 27.811, 114.923, 27.812},
                               {114.931, 27.841, 114.932, 27.843},
                               {114.951, 27.801, 114.952, 27.802},
                               {114.949, 27.8005, 114.9501, 27.801}};
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(imp_cells_add(&c, boxes[i], &err), CORE_OK);
    ck_assert_int_eq(c.rows, 5);
    size_t n = 0;
    double *cells = cells_of(&c, &n);
    ck_assert_uint_eq(n, 2);
    for (size_t i = 0; i < 5; i++)
        ck_assert(inside(cells, n, boxes[i]));
    /* the first cell is exactly the extent of its four features, the straddler included */
    const double want[4] = {114.901, 27.8005, 114.9501, 27.843};
    ck_assert(inside(cells, n, want));
    ck_assert(cells[0] == want[0] || cells[4] == want[0]);
    free(cells);
    imp_cells_free(&c);
}
END_TEST

START_TEST(test_cells_stay_bounded_on_a_scattered_file)
{
    imp_cells c = {0};
    core_err err = {0};
    /* 300 × 300 points a cell and a half apart: 90,000 cells of 0.05° */
    for (int i = 0; i < 300; i++)
        for (int k = 0; k < 300; k++) {
            double x = 100 + i * 0.075, y = 20 + k * 0.075;
            const double box[4] = {x, y, x + 0.001, y + 0.001};
            ck_assert_int_eq(imp_cells_add(&c, box, &err), CORE_OK);
        }
    ck_assert_int_eq(c.rows, 90000);
    ck_assert_uint_le(c.n, 16384);
    ck_assert_double_gt(c.size, 0.05);
    size_t n = 0;
    double *cells = cells_of(&c, &n);
    ck_assert_uint_eq(n, c.n);
    for (int i = 0; i < 300; i += 7)
        for (int k = 0; k < 300; k += 11) {
            double x = 100 + i * 0.075, y = 20 + k * 0.075;
            const double box[4] = {x, y, x + 0.001, y + 0.001};
            ck_assert_msg(inside(cells, n, box), "%g %g in no cell", x, y);
        }
    free(cells);
    imp_cells_free(&c);
    ck_assert_ptr_null(c.slot);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cells");
    TCase *tc = tcase_create("cells");
    tcase_add_test(tc, test_cells_hold_the_extent_of_their_features);
    tcase_add_test(tc, test_cells_stay_bounded_on_a_scattered_file);
    suite_add_tcase(s, tc);
    return th_run(s);
}
