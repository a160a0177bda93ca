/* plot.h — figures drawn with PLplot (axes, ticks, labels and legends are
 * the library's): learning curves of runs, learning-rate schedules, and a
 * minimize statement's descent. The output's suffix picks the cairo
 * device (.png, .svg, .pdf); the figure is drawn in memory and written
 * atomically (fileio.h), so a failure never leaves part of a file.
 *
 * Every figure has the same page (PLOT_WIDTH x PLOT_HEIGHT points) and
 * plotting area (the PLOT_VIEW_* fractions of the page, from its lower
 * left corner); the axes run exactly over the data's range, so a drawn
 * point maps back to its numbers (tests/golden/plot.sh does). */
#ifndef LR_PLOT_H
#define LR_PLOT_H
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "spec.h"
#include "status.h"

#define PLOT_WIDTH 800
#define PLOT_HEIGHT 600
#define PLOT_VIEW_LEFT 0.1
#define PLOT_VIEW_RIGHT 0.95
#define PLOT_VIEW_BOTTOM 0.1
#define PLOT_VIEW_TOP 0.92

/* The cairo device that draws path (by its suffix: .png, .svg or .pdf,
 * any case), or NULL. Inline so that the checker needs no PLplot. */
static inline const char *plot_device(const char *path)
{
    static const char *const devices[][2] = {
        {".png", "pngcairo"}, {".svg", "svgcairo"}, {".pdf", "pdfcairo"}};
    size_t len = strlen(path);
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
        if (len > 4 && strcasecmp(path + len - 4, devices[i][0]) == 0)
            return devices[i][1];
    return NULL;
}

/* The most points a descent's path keeps for its figure: a longer one
 * keeps every k-th point and the last. */
#define PLOT_MAX_PATH 100000

/* 0 when path names a file lrc can draw (.png, .svg or .pdf, any case);
 * otherwise -1 and the reason in why. */
int plot_check_suffix(const char *path, char *why, size_t why_size);

/* `lrc plot RUN_DIR... -o out`: the training and validation curves of
 * metric (NULL: loss) from each directory's metrics.csv, one colour per
 * run; a sweep directory (sweep.csv and run-NNN/) stands for its runs,
 * named by their sweep values. Returns LR_LANGUAGE_ERROR for what is
 * wrong with the inputs (reported), LR_RUN_FAILED when the figure cannot
 * be written. */
LrStatus plot_curves(const char *const *dirs, int count, const char *metric, const char *out);

/* `lrc plot --schedule EXPR... --steps N -o out`: each schedule's
 * learning rate at steps 0..steps-1, labelled with its text. */
LrStatus plot_schedules(const LrScheduleSpec *schedules, const char *const *labels, int count,
                        int64_t steps, const char *out);

/* minimize's plot=: the function over the range the descent visited (one
 * variable: a curve; two: contour lines) and the descent's points
 * (path[i * var_count + v], count points) joined in order. Returns 0, or
 * -1 with the reason in why. Allocates only for the figure. */
int plot_descent(const LrMinimizeSpec *m, const double *path, int64_t count, const char *out,
                 char *why, size_t why_size);

/* The process that draws a run's descents. The run is confined
 * (sandbox.h) to its files, but PLplot reads its drivers and fonts and
 * writes a temporary file of its own: so the figures are drawn by a
 * process started before the confinement, which draws only the plot=
 * files the checker allowed (by the statement's index in spec). */
typedef struct LrPlotHelper {
    int pid;          /* 0: none */
    int fd;           /* a socket to it */
    const LrSpec *spec;
} LrPlotHelper;

/* Starts h for spec's minimize statements. Returns 0, or -1 with the
 * reason in why. */
int plot_helper_start(LrPlotHelper *h, const LrSpec *spec, char *why, size_t why_size);
/* Has h draw m's descent (m one of h->spec's statements), as plot_descent. */
int plot_helper_descent(LrPlotHelper *h, const LrMinimizeSpec *m, const double *path,
                        int64_t count, char *why, size_t why_size);
/* Ends h and waits for it; nothing to do for one never started. */
void plot_helper_stop(LrPlotHelper *h);

#endif
