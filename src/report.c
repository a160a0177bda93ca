/* report.c — see report.h. */
#include "report.h"

#include <stdio.h>

void report_epoch(int64_t epoch, int64_t epochs, double loss)
{
    printf("epoch %lld/%lld loss %.6f\n", (long long)epoch, (long long)epochs, loss);
}

/* [a b c] */
static void print_row(const float *v, int count)
{
    putchar('[');
    for (int i = 0; i < count; i++)
        printf(i ? " %.4f" : "%.4f", (double)v[i]);
    putchar(']');
}

void report_parameters(const LrLayer *layers, int count)
{
    for (int i = 0; i < count; i++) {
        const LrLayer *l = &layers[i];
        /* Keras names layers dense, dense_1, dense_2, ... */
        if (i == 0)
            printf("%s weights ", l->ops->name);
        else
            printf("%s_%d weights ", l->ops->name, i);
        if (l->out == 1) {
            print_row(l->weight.data, l->in);
            printf(" bias %.4f\n", (double)l->bias.data[0]);
            continue;
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
}

void report_schedule_header(void)
{
    printf("step lr\n");
}

void report_schedule_row(int64_t step, double lr)
{
    printf("%lld %.9g\n", (long long)step, lr);
}

void report_timing(bool quiet, int64_t epochs, int64_t steps, double seconds)
{
    if (!quiet)
        fprintf(stderr, "lrc: %lld epoch%s, %lld steps in %.3f s\n", (long long)epochs,
                epochs == 1 ? "" : "s", (long long)steps, seconds);
}
