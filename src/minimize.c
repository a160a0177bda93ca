/* minimize.c — see minimize.h. The variables live in a float array so that
 * the update is exactly the training optimizers' (optim.c); the formula is
 * evaluated in double at those values. */
#include "minimize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "optim.h"
#include "report.h"
#include "schedule.h"

typedef struct Columns {
    char text[2 + 4 * EXPR_MAX_VARS][300];
    int count;
} Columns;

/* Column widths of the trace: wide enough for the header and the usual
 * numbers, so that rows line up as in a textbook table. */
static const int widths[] = {6, 9, 6, 8, 9};

static void columns_add(Columns *c, const char *fmt, double v)
{
    snprintf(c->text[c->count++], sizeof c->text[0], fmt, v);
}

static void columns_add_fixed(Columns *c, double v)
{
    report_fixed(c->text[c->count++], sizeof c->text[0], v, 4);
}

static void columns_print(const Columns *c, int var_count)
{
    /* A cell is at least its column's width, and two wider than its text:
     * report_row adds the two spaces. */
    const char *cells[sizeof c->text / sizeof c->text[0]];
    int cell_widths[sizeof c->text / sizeof c->text[0]];
    for (int i = 0; i < c->count; i++) {
        /* step, the variables, lr, f, the gradient, the next point */
        int kind = i == 0 ? 0 : i <= var_count ? 1 : i == var_count + 1 ? 2
                 : i == var_count + 2 ? 3 : i <= 2 * var_count + 2 ? 4 : 5;
        cells[i] = c->text[i];
        cell_widths[i] = (kind < 5 ? widths[kind] : 9) - 2;
    }
    report_row(cells, cell_widths, c->count);
}

/* "x", "x,y": the variables, for headers. */
static void var_list(const LrMinimizeSpec *m, char *out, size_t size)
{
    out[0] = '\0';
    for (int i = 0; i < m->var_count; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i ? "," : "", m->var_names[i]);
    }
}

static void print_header(const LrMinimizeSpec *m)
{
    Columns c = {.count = 0};
    char vars[256];
    var_list(m, vars, sizeof vars);
    snprintf(c.text[c.count++], sizeof c.text[0], "step");
    for (int i = 0; i < m->var_count; i++)
        snprintf(c.text[c.count++], sizeof c.text[0], "%s", m->var_names[i]);
    snprintf(c.text[c.count++], sizeof c.text[0], "lr");
    snprintf(c.text[c.count++], sizeof c.text[0], "%s", m->label);
    /* The derivative of a let function by its name, f'(x) and df/dx; of
     * a formula written out, d/dx. */
    const char *f = m->function ? m->function : "";
    if (m->var_count == 1) {
        if (m->function)
            snprintf(c.text[c.count++], sizeof c.text[0], "%s'(%s)", f, vars);
        else
            snprintf(c.text[c.count++], sizeof c.text[0], "d/d%s", vars);
        snprintf(c.text[c.count++], sizeof c.text[0], "next");
    } else {
        for (int i = 0; i < m->var_count; i++)
            snprintf(c.text[c.count++], sizeof c.text[0], "d%s/d%s", f, m->var_names[i]);
        for (int i = 0; i < m->var_count; i++)
            snprintf(c.text[c.count++], sizeof c.text[0], "next_%s", m->var_names[i]);
    }
    columns_print(&c, m->var_count);
}

/* "x = 0, y = 1" for messages. */
static void point_text(const LrMinimizeSpec *m, const double *x, char *out, size_t size)
{
    out[0] = '\0';
    for (int i = 0; i < m->var_count; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s = %g", i ? ", " : "", m->var_names[i], x[i]);
    }
}

/* The record's row for the point x: the variables, f and the gradient;
 * the lr comes with the update. */
static double *record_point(LrMinimizeRecord *record, const LrMinimizeSpec *m, const double *x,
                            double f, const double *g)
{
    int n = m->var_count;
    double *row = record->rows + (size_t)record->count++ * (size_t)MINIMIZE_RECORD_COLS(m);
    memcpy(row, x, (size_t)n * sizeof *row);
    row[n] = f;
    memcpy(row + n + 1, g, (size_t)n * sizeof *row);
    row[2 * n + 1] = NAN;
    return row;
}

LrStatus minimize_run(const LrMinimizeSpec *m, const LrSource *src, LrDiag *diag,
                      LrPlotHelper *plots, LrMinimizeRecord *record)
{
    const int n = m->var_count;
    /* The figure keeps every stride-th point, and the last. */
    int64_t stride = m->steps / PLOT_MAX_PATH + 1, kept = 0;
    size_t path_size = m->plot_path ? (size_t)(m->steps / stride + 2) * (size_t)n : 0;
    double *work = malloc((2 * (size_t)m->expr.count + path_size) * sizeof *work);
    double *path = work + 2 * (size_t)m->expr.count;
    float *params = calloc((size_t)n * 4, sizeof *params);
    if (!work || !params) {
        free(work);
        free(params);
        diag_error(diag, src, m->span, "out of memory");
        return status_of(LR_RUN_FAILED);
    }
    float *grads = params + n, *slot1 = params + 2 * n, *slot2 = params + 3 * n;
    double *adjoint = work + m->expr.count;
    size_t offsets[2] = {0, (size_t)n};
    LrOptimizer opt = {&m->optimizer, params, grads, slot1, slot2, (size_t)n, offsets, 1, 0};
    optim_reset(&opt);
    for (int i = 0; i < n; i++)
        params[i] = (float)m->start[i];
    if (m->trace)
        print_header(m);
    LrStatus status = status_of(LR_OK);
    double x[EXPR_MAX_VARS], g[EXPR_MAX_VARS], f = 0;
    for (int64_t step = 0; step <= m->steps; step++) {
        for (int i = 0; i < n; i++)
            x[i] = params[i];
        int bad = -1;
        f = expr_eval(&m->expr, x, g, work, adjoint, &bad);
        if (bad >= 0) {
            char at[512];
            point_text(m, x, at, sizeof at);
            const LrExprNode *node = &m->expr.nodes[bad];
            diag_error(diag, src, node->span,
                       isfinite(work[bad]) ? "the derivative of this is not finite at %s (step %lld)"
                                           : "this is not a finite number at %s (step %lld)",
                       at, (long long)step);
            status = status_of(LR_RUN_FAILED);
            break;
        }
        if (m->plot_path && (step % stride == 0 || step == m->steps))
            memcpy(&path[kept++ * n], x, (size_t)n * sizeof *x);
        double *row = record ? record_point(record, m, x, f, g) : NULL;
        if (step == m->steps)
            break;
        for (int i = 0; i < n; i++)
            grads[i] = (float)g[i];
        double lr = optim_step(&opt);
        if (row)
            row[2 * n + 1] = lr;
        if (m->trace) {
            Columns c = {.count = 0};
            columns_add(&c, "%.0f", (double)step);
            for (int i = 0; i < n; i++)
                columns_add_fixed(&c, x[i]);
            columns_add(&c, "%g", lr);
            columns_add_fixed(&c, f);
            for (int i = 0; i < n; i++)
                columns_add_fixed(&c, g[i]);
            for (int i = 0; i < n; i++)
                columns_add_fixed(&c, (double)params[i]);
            columns_print(&c, n);
        }
    }
    char why[4200];
    if (status_ok(status) && m->plot_path &&
        (plots ? plot_helper_descent(plots, m, path, kept, why, sizeof why)
               : plot_descent(m, path, kept, m->plot_path, why, sizeof why)) < 0) {
        diag_error(diag, src, m->span, "%s", why);
        status = status_of(LR_RUN_FAILED);
    }
    if (status_ok(status) && !m->trace)
        report_point(m->var_names, x, n, m->label, f);
    free(work);
    free(params);
    return status;
}
