/* report.c — see report.h. */
#include "report.h"

#include <stdio.h>

#include "diag.h"
#include "metrics.h"

static void print_metrics(const char *prefix, const LrMetricKind *metrics, int count,
                          const double *values)
{
    for (int m = 0; m < count; m++)
        printf(" %s%s %.6f", prefix, metric_name(metrics[m]), values[m]);
}

void report_epoch(int64_t epoch, int64_t epochs, double loss, const LrMetricKind *metrics,
                  int metric_count, const double *values, bool has_val, double val_loss,
                  const double *val_values)
{
    printf("epoch %lld/%lld loss %.6f", (long long)epoch, (long long)epochs, loss);
    print_metrics("", metrics, metric_count, values);
    if (has_val) {
        printf(" val_loss %.6f", val_loss);
        print_metrics("val_", metrics, metric_count, val_values);
    }
    putchar('\n');
}

void report_early_stop(int64_t epoch, const char *monitor, int64_t wait, double best,
                       int64_t best_epoch)
{
    printf("early stop at epoch %lld: %s has not improved for %lld epoch%s (best %.6f at "
           "epoch %lld)\n",
           (long long)epoch, monitor, (long long)wait, wait == 1 ? "" : "s", best,
           (long long)best_epoch);
}

void report_evaluate(const char *what, double loss, const LrMetricKind *metrics, int count,
                     const double *values)
{
    printf("evaluate %s loss %.6f", what, loss);
    print_metrics("", metrics, count, values);
    putchar('\n');
}

/* [a b c] */
static void print_row(const float *v, int count)
{
    putchar('[');
    for (int i = 0; i < count; i++)
        printf(i ? " %.4f" : "%.4f", (double)v[i]);
    putchar(']');
}

void report_dense(const char *name, const LrLayer *l)
{
    printf("%s weights ", name);
    if (l->out == 1) {
        print_row(l->weight.data, l->in);
        printf(" bias %.4f\n", (double)l->bias.data[0]);
        return;
    }
    putchar('[');
    for (int r = 0; r < l->in; r++) {
        if (r)
            putchar(' ');
        print_row(&TENSOR_AT(l->weight, r, 0), l->out);
    }
    printf("] bias ");
    print_row(l->bias.data, l->out);
    putchar('\n');
}

void report_schedule_header(void)
{
    printf("step lr\n");
}

void report_schedule_row(int64_t step, double lr)
{
    printf("%lld %.9g\n", (long long)step, lr);
}

void report_row(const char *const *cells, const int *widths, int count)
{
    for (int i = 0; i < count; i++) {
        const char *cell = cells[i] ? cells[i] : "";
        if (i < count - 1)
            printf("%-*s  ", widths[i], cell);
        else
            fputs(cell, stdout);
    }
    putchar('\n');
}

void report_point(const char *const *names, const double *values, int count,
                  const char *vars, double f)
{
    for (int i = 0; i < count; i++)
        printf("%s %.6f ", names[i], values[i]);
    printf("f(%s) %.6f\n", vars, f);
}

void report_text(const char *text)
{
    fputs(text, stdout);
}

void report_version(const char *version, const char *blas)
{
    printf("lrc %s (%s)\n", version, blas);
}

int report_flush(void)
{
    return fflush(stdout) == 0 ? 0 : -1;
}

void report_timing(bool quiet, int64_t epochs, int64_t steps, double seconds,
                   double step_seconds)
{
    if (!quiet)
        diag_info("%lld epoch%s, %lld steps in %.3f s (steps %.3f s, measuring %.3f s)",
                  (long long)epochs, epochs == 1 ? "" : "s", (long long)steps, seconds,
                  step_seconds, seconds - step_seconds);
}
