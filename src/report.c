/* report.c — see report.h. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The errno of the first result line stdout could not take, for
 * report_flush (a later flush of an empty buffer would succeed). */
static int write_errno;

/* Ends a result line and writes it out at once, whether stdout is a
 * terminal, a pipe or a file, so that a run can be watched as it goes. */
static void end_line(void)
{
    putchar('\n');
    if (fflush(stdout) != 0 && !write_errno)
        write_errno = errno ? errno : EIO;
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
    end_line();
}

void report_early_stop(int64_t epoch, const char *monitor, int64_t wait, double best,
                       int64_t best_epoch)
{
    printf("early stop at epoch %lld: %s has not improved for %lld epoch%s (best ",
           (long long)epoch, monitor, (long long)wait, wait == 1 ? "" : "s");
    print_fixed(best, 6);
    printf(" at epoch %lld)", (long long)best_epoch);
    end_line();
}

void report_evaluate(const char *what, double loss, const LrMetricKind *metrics, int count,
                     const double *values)
{
    printf("evaluate %s loss ", what);
    print_fixed(loss, 6);
    print_metrics("", metrics, count, values);
    end_line();
}

/* Class c's name, or its index written in out. */
static const char *class_name(const char *const *names, int c, char *out, size_t size)
{
    if (names)
        return names[c];
    snprintf(out, size, "%d", c);
    return out;
}

/* Column p's width: its name's or its largest count's. */
static int confusion_width(int classes, const char *const *names, const int64_t *counts, int p)
{
    char text[24];
    int width = (int)strlen(class_name(names, p, text, sizeof text));
    for (int t = 0; t < classes; t++) {
        int n = snprintf(text, sizeof text, "%lld", (long long)counts[(size_t)t * classes + p]);
        width = n > width ? n : width;
    }
    return width;
}

void report_confusion(const char *what, int classes, const char *const *names,
                      const int64_t *counts)
{
    char index[16];
    int first = 0;
    for (int c = 0; c < classes; c++) {
        int n = (int)strlen(class_name(names, c, index, sizeof index));
        first = n > first ? n : first;
    }
    /* The widths once (a width per cell would be classes^3 work). */
    int *widths = malloc((size_t)classes * sizeof *widths);
    for (int p = 0; widths && p < classes; p++)
        widths[p] = confusion_width(classes, names, counts, p);
    printf("confusion %s (rows: true class, columns: predicted)", what);
    end_line();
    printf("%*s", first, "");
    for (int p = 0; p < classes; p++)
        printf("  %*s", widths ? widths[p] : confusion_width(classes, names, counts, p),
               class_name(names, p, index, sizeof index));
    end_line();
    for (int t = 0; t < classes; t++) {
        printf("%-*s", first, class_name(names, t, index, sizeof index));
        for (int p = 0; p < classes; p++)
            printf("  %*lld", widths ? widths[p] : confusion_width(classes, names, counts, p),
                   (long long)counts[(size_t)t * classes + p]);
        end_line();
    }
    free(widths);
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
        end_line();
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
    end_line();
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
    end_line();
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
    end_line();
}

void report_text(const char *text)
{
    fputs(text, stdout);
}

int report_message(const char *json, size_t length)
{
    if (printf("Content-Length: %zu\r\n\r\n", length) < 0 ||
        fwrite(json, 1, length, stdout) != length || fflush(stdout) != 0) {
        if (!write_errno)
            write_errno = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

void report_rows(const char *text, size_t length)
{
    if (fwrite(text, 1, length, stdout) != length || fflush(stdout) != 0)
        if (!write_errno)
            write_errno = errno ? errno : EIO;
}

void report_version(const char *version, const char *blas)
{
    printf("lrc %s (%s)\n", version, blas);
}

bool report_failed(void)
{
    return write_errno != 0;
}

int report_flush(void)
{
    if (fflush(stdout) == 0 && !write_errno)
        return 0;
    if (write_errno)
        errno = write_errno;
    return -1;
}

void report_progress(int64_t epoch, int64_t epochs, int64_t step, int64_t steps,
                     double steps_per_second, double loss)
{
    enum { BAR = 20 };
    char bar[BAR + 1];
    int filled = steps > 0 ? (int)(BAR * step / steps) : BAR;
    for (int i = 0; i < BAR; i++)
        bar[i] = i < filled ? '=' : i == filled ? '>' : '.';
    bar[BAR] = '\0';
    double eta = steps_per_second > 0 ? (double)(steps - step) / steps_per_second : 0;
    long long seconds = eta < 1e9 ? (long long)(eta + 0.5) : 999999999LL;
    char eta_text[32];
    if (seconds >= 3600)
        snprintf(eta_text, sizeof eta_text, "%lld:%02lld:%02lld", seconds / 3600,
                 seconds / 60 % 60, seconds % 60);
    else
        snprintf(eta_text, sizeof eta_text, "%lld:%02lld", seconds / 60, seconds % 60);
    /* The step is as wide as steps, so that the line does not jitter. */
    int width = snprintf(NULL, 0, "%lld", (long long)steps);
    char line[256];
    snprintf(line, sizeof line, "epoch %lld/%lld %*lld/%lld [%s] %.*f steps/s ETA %s loss %.6f",
             (long long)epoch, (long long)epochs, width, (long long)step, (long long)steps, bar,
             steps_per_second < 10 ? 2 : 0, steps_per_second, eta_text, loss);
    diag_progress(line);
}

void report_progress_clear(void)
{
    diag_progress_clear();
}

void report_timing(bool quiet, int64_t epochs, int64_t steps, double seconds,
                   double step_seconds)
{
    if (!quiet)
        diag_info("%lld epoch%s, %lld steps in %.3f s (steps %.3f s, measuring %.3f s)",
                  (long long)epochs, epochs == 1 ? "" : "s", (long long)steps, seconds,
                  step_seconds, seconds - step_seconds);
}
