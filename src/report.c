/* report.c — see report.h. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "metrics.h"

void report_fixed(char *out, size_t size, double v, int decimals)
{
    int n = snprintf(out, size, "%.*f", decimals, v);
    /* "-0.000" (a tiny negative value, or -0 itself): drop the sign. */
    if (n > 0 && out[0] == '-' && out[1 + strspn(out + 1, "0.")] == '\0')
        memmove(out, out + 1, (size_t)n);
}

/* printf's "%.6f" or "%.4f" of v, through report_fixed. */
static void print_fixed(double v, int decimals)
{
    char text[512];
    report_fixed(text, sizeof text, v, decimals);
    fputs(text, stdout);
}

static void print_metrics(const char *prefix, const LrMetricKind *metrics, int count,
                          const double *values)
{
    for (int m = 0; m < count; m++) {
        printf(" %s%s ", prefix, metric_name(metrics[m]));
        print_fixed(values[m], 6);
    }
}

void report_epoch(int64_t epoch, int64_t epochs, double loss, const LrMetricKind *metrics,
                  int metric_count, const double *values, bool has_val, double val_loss,
                  const double *val_values)
{
    printf("epoch %lld/%lld loss ", (long long)epoch, (long long)epochs);
    print_fixed(loss, 6);
    print_metrics("", metrics, metric_count, values);
    if (has_val) {
        printf(" val_loss ");
        print_fixed(val_loss, 6);
        print_metrics("val_", metrics, metric_count, val_values);
    }
    putchar('\n');
}

void report_early_stop(int64_t epoch, const char *monitor, int64_t wait, double best,
                       int64_t best_epoch)
{
    printf("early stop at epoch %lld: %s has not improved for %lld epoch%s (best ",
           (long long)epoch, monitor, (long long)wait, wait == 1 ? "" : "s");
    print_fixed(best, 6);
    printf(" at epoch %lld)\n", (long long)best_epoch);
}

void report_evaluate(const char *what, double loss, const LrMetricKind *metrics, int count,
                     const double *values)
{
    printf("evaluate %s loss ", what);
    print_fixed(loss, 6);
    print_metrics("", metrics, count, values);
    putchar('\n');
}

/* [a b c] */
static void print_row(const float *v, int count)
{
    putchar('[');
    for (int i = 0; i < count; i++) {
        if (i)
            putchar(' ');
        print_fixed((double)v[i], 4);
    }
    putchar(']');
}

void report_dense(const char *name, const LrLayer *l)
{
    printf("%s weights ", name);
    if (l->out == 1) {
        print_row(l->weight.data, l->in);
        printf(" bias ");
        print_fixed((double)l->bias.data[0], 4);
        putchar('\n');
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
                  const char *label, double f)
{
    for (int i = 0; i < count; i++) {
        printf("%s ", names[i]);
        print_fixed(values[i], 6);
        putchar(' ');
    }
    printf("%s ", label);
    print_fixed(f, 6);
    putchar('\n');
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
