/* plot.c — see plot.h. PLplot draws into a memory stream (open_memstream,
 * which PLplot closes at plend), so lrc owns the only write of the file.
 * PLplot's state is process-wide: one figure at a time.
 *
 * PLplot is loaded with dlopen when the first figure is drawn, not linked:
 * it and the libraries it needs would add to the start-up of every run,
 * and only figures use it. plplot.h gives the types and constants. */
#include "plot.h"

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csv.h"
#include "diag.h"
#include "expr.h"
#include "fileio.h"
#include "json.h"
#include "schedule.h"

/* Points of the function's curve (one variable) and of each side of the
 * contour grid (two) across the figure. */
enum { CURVE_SAMPLES = 401, CONTOUR_SAMPLES = 61, CONTOUR_LEVELS = 12 };
/* A descent figure's x (and y) range: the visited one, widened by this
 * fraction of it on each side so that no point sits on the frame. */
#define DESCENT_MARGIN 0.05

/* Colour map 0: background, frame and text, then the series in turn (the
 * Tableau 10 palette, distinct in colour and in grey). */
static const unsigned char palette[][3] = {
    {255, 255, 255}, {0, 0, 0},       {31, 119, 180}, {255, 127, 14}, {44, 160, 44},
    {214, 39, 40},   {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
    {188, 189, 34},  {23, 190, 207}};
enum { COLOR_FRAME = 1, COLOR_FIRST = 2, SERIES_COLORS = 10 };
/* The legend's background, after the palette: white through which the
 * series beneath it show. */
enum { COLOR_LEGEND = sizeof palette / sizeof palette[0] };

/* The early-stopping mark: a Hershey circle on a dotted vertical line. */
#define MARK_SYMBOL "#(728)"

static int series_color(int i) { return COLOR_FIRST + i % SERIES_COLORS; }

int plot_check_suffix(const char *path, char *why, size_t why_size)
{
    if (plot_device(path))
        return 0;
    snprintf(why, why_size, "cannot draw '%s': the name must end in .png, .svg or .pdf", path);
    return -1;
}

/* PLplot reads '#' as the start of an escape sequence; "##" is one '#'. */
static void plot_text(char *out, size_t size, const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p && n + 3 < size; p++) {
        if (*p == '#')
            out[n++] = '#';
        out[n++] = *p;
    }
    out[n] = '\0';
}

/* LeakSanitizer (make SAN=1): the libraries PLplot draws with keep
 * caches for the life of the process (fontconfig's configuration, ltdl's
 * loaded drivers), which it reports as leaks; they are not lrc's. */
#if defined(__SANITIZE_ADDRESS__)
#define PLOT_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PLOT_LSAN 1
#endif
#endif
#ifdef PLOT_LSAN
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libltdl.so\nleak:libpango\nleak:libcairo.so\n"
           "leak:libglib-2.0.so\nleak:libgobject-2.0.so\nleak:libharfbuzz.so\n";
}
/* ...silently: stderr is lrc's. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }
#endif

/* ---------------------------------------------------------- the library */

/* The functions plot.c calls, by the names the library exports: plplot.h's
 * macros turn plinit into c_plinit (plsfile and pltr1 keep theirs). */
#define PLPLOT_FUNCTIONS(X)                                                                    \
    X(c_pladv) X(c_plbox) X(c_plcol0) X(c_plcont) X(c_plend) X(c_plinit) X(c_pljoin)           \
    X(c_pllab) X(c_pllegend) X(c_plline) X(c_pllsty) X(c_plpoin) X(c_plscmap0n) X(c_plscol0)   \
    X(c_plscol0a) X(c_plsdev) X(plsfile) X(c_plspage) X(c_plstring) X(c_plvpor)                \
    X(c_plwind) X(pltr1) X(plgDevs)

/* The loaded library: process-wide, like PLplot's state. Each pointer has
 * the type plplot.h declares (__typeof__: gcc and clang), so a call is
 * checked as a linked one would be. */
#define PLPLOT_POINTER(name) __typeof__(name) *name;
static struct {
    void *handle;
    PLPLOT_FUNCTIONS(PLPLOT_POINTER)
} pl;

/* Loads PLplot once per process. Returns 0, or -1 with the reason in why,
 * saying what needs it (`needs`: "lrc plot" or "plot="). */
static int plplot_load(const char *needs, char *why, size_t why_size)
{
    if (pl.handle)
        return 0;
    /* By its soname, as the loader finds it; then where pkg-config said
     * it was at build time; then the development link. */
    static const char *const names[] = {LRC_PLOT_SONAME, LRC_PLOT_LIBDIR "/" LRC_PLOT_SONAME,
                                        "libplplot.so"};
    void *handle = NULL;
    char error[512] = "not found";
    for (size_t i = 0; i < sizeof names / sizeof *names && !handle; i++)
        if (!(handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL)))
            snprintf(error, sizeof error, "%s", dlerror());
    /* The POSIX way to turn an object pointer into a function pointer. */
#define PLPLOT_LOOKUP(name)                                                                    \
    if (handle && !(*(void **)&pl.name = dlsym(handle, #name))) {                              \
        snprintf(error, sizeof error, "%s", dlerror());                                        \
        dlclose(handle);                                                                       \
        handle = NULL;                                                                         \
    }
    PLPLOT_FUNCTIONS(PLPLOT_LOOKUP)
#undef PLPLOT_LOOKUP
    if (!handle) {
        snprintf(why, why_size, "%s needs PLplot (Debian: libplplot-dev plplot-driver-cairo): %s",
                 needs, error);
        return -1;
    }
    pl.handle = handle;
    return 0;
}

/* ------------------------------------------------------------- figures */

/* Whether PLplot has device (its driver is a package of its own,
 * plplot-driver-cairo): without it plinit would ask on the terminal for
 * another one, a run that waits for nobody. */
static bool device_available(const char *device)
{
    enum { MAX_DEVICES = 64 };
    const char *menu_list[MAX_DEVICES], *name_list[MAX_DEVICES];
    const char **menu = menu_list, **names = name_list;
    int count = MAX_DEVICES;
    pl.plgDevs(&menu, &names, &count);
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], device) == 0)
            return true;
    return false;
}

typedef struct Figure {
    char *bytes; /* the memory stream's, once PLplot closed it */
    size_t size;
    const char *path;
    bool pdf;
} Figure;

/* Opens the page and draws the frame, ticks and labels for the window
 * [x0, x1] x [y0, y1] (a range of no width is widened to one). */
static int figure_begin(Figure *f, const char *path, double x0, double x1, double y0,
                        double y1, const char *x_label, const char *y_label, const char *title,
                        char *why, size_t why_size)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    const char *device = plot_device(path);
    if (!device)
        return plot_check_suffix(path, why, why_size);
    f->pdf = strcmp(device, "pdfcairo") == 0;
    if (!device_available(device)) {
        snprintf(why, why_size,
                 "cannot draw '%s': PLplot has no '%s' device (Debian: plplot-driver-cairo)",
                 path, device);
        return -1;
    }
    FILE *stream = open_memstream(&f->bytes, &f->size);
    if (!stream) {
        snprintf(why, why_size, "cannot draw '%s': out of memory", path);
        return -1;
    }
    pl.c_plsdev(device);
    pl.plsfile(stream);
    pl.c_plspage(0, 0, PLOT_WIDTH, PLOT_HEIGHT, 0, 0);
    pl.c_plscmap0n(COLOR_LEGEND + 1);
    for (size_t i = 0; i < sizeof palette / sizeof palette[0]; i++)
        pl.c_plscol0((PLINT)i, palette[i][0], palette[i][1], palette[i][2]);
    pl.c_plscol0a(COLOR_LEGEND, 255, 255, 255, 0.75);
    pl.c_plinit();
    pl.c_pladv(0);
    pl.c_plvpor(PLOT_VIEW_LEFT, PLOT_VIEW_RIGHT, PLOT_VIEW_BOTTOM, PLOT_VIEW_TOP);
    if (x1 <= x0)
        x0 -= 0.5, x1 += 0.5;
    if (y1 <= y0)
        y0 -= 0.5, y1 += 0.5;
    pl.c_plwind(x0, x1, y0, y1);
    pl.c_plcol0(COLOR_FRAME);
    pl.c_plbox("bcnst", 0, 0, "bcnstv", 0, 0);
    char text[3][1024];
    plot_text(text[0], sizeof text[0], x_label);
    plot_text(text[1], sizeof text[1], y_label);
    plot_text(text[2], sizeof text[2], title);
    pl.c_pllab(text[0], text[1], text[2]);
    return 0;
}

/* Closes the page and writes the file. cairo's PDF carries the time it
 * was made: it is fixed, so that the same figure is the same bytes. */
static int figure_end(Figure *f, char *why, size_t why_size)
{
    pl.c_plend(); /* also closes the memory stream */
    int status = 0;
    if (!f->bytes) {
        snprintf(why, why_size, "cannot draw '%s': out of memory", f->path);
        status = -1;
    } else {
        static const char key[] = "/CreationDate (D:";
        const size_t key_len = sizeof key - 1, digits = 14;
        for (size_t i = 0; f->pdf && i + key_len + digits <= f->size; i++)
            if (memcmp(f->bytes + i, key, key_len) == 0) {
                memcpy(f->bytes + i + key_len, "19700101000000", digits);
                break;
            }
        status = file_write_atomic(f->path, f->bytes, f->size, why, why_size);
    }
    free(f->bytes);
    f->bytes = NULL;
    return status;
}

/* Draws (x[i], y[i]) joined in order, broken where a value is not finite
 * (a lone finite point is drawn as a dot). */
static void draw_series(const double *x, const double *y, int n)
{
    int start = 0;
    for (int i = 0; i <= n; i++) {
        if (i < n && isfinite(x[i]) && isfinite(y[i]))
            continue;
        if (i - start == 1)
            pl.c_plpoin(1, (PLFLT *)&x[start], (PLFLT *)&y[start], 1);
        else if (i - start > 1)
            pl.c_plline(i - start, &x[start], &y[start]);
        start = i + 1;
    }
}

static void range_add(double *lo, double *hi, const double *v, int n)
{
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) {
            *lo = fmin(*lo, v[i]);
            *hi = fmax(*hi, v[i]);
        }
}

/* A legend in the upper right corner of the plotting area. */
static void draw_legend(int count, const char *const *labels, const PLINT *colors,
                        const PLINT *styles, const PLINT *kinds)
{
    PLINT opts[count], text_colors[count], symbol_numbers[count];
    PLFLT widths[count], scales[count];
    const char *symbols[count];
    for (int i = 0; i < count; i++) {
        opts[i] = kinds[i];
        text_colors[i] = COLOR_FRAME;
        widths[i] = 1;
        scales[i] = 1;
        symbol_numbers[i] = 1;
        symbols[i] = MARK_SYMBOL;
    }
    PLFLT width, height;
    pl.c_pllegend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
                  PL_POSITION_RIGHT | PL_POSITION_TOP | PL_POSITION_INSIDE, 0.02, 0.02, 0.1,
                  COLOR_LEGEND, COLOR_FRAME, 1, 0, 0, count, opts, 1.0, 0.8, 2.0, 0.0, text_colors,
                  labels, NULL, NULL, NULL, NULL, colors, styles, widths, colors, scales,
                  symbol_numbers, symbols);
}

/* ------------------------------------------------------ learning curves */

/* A metrics.csv: its columns and its rows of numbers. */
typedef struct Table {
    int cols, rows;
    char **names;
    double *values; /* rows x cols; a field that is not a number is NaN */
} Table;

static void table_free(Table *t)
{
    for (int i = 0; i < t->cols; i++)
        free(t->names[i]);
    free(t->names);
    free(t->values);
    memset(t, 0, sizeof *t);
}

static int table_column(const Table *t, const char *name)
{
    for (int i = 0; i < t->cols; i++)
        if (strcmp(t->names[i], name) == 0)
            return i;
    return -1;
}

static const char *field_text(const LrCsvReader *r, int i)
{
    size_t length;
    return csv_field(r, i, &length);
}

/* Reads a CSV file with a header into t. Returns 0, or -1 (reported). */
static int table_read(const char *path, Table *t, LrDiag *diag)
{
    memset(t, 0, sizeof *t);
    LrCsvReader r;
    char why[1024];
    if (csv_open(&r, path, path, ',', NULL, diag, why, sizeof why) < 0) {
        diag_plain("cannot read '%s': %s", path, why);
        return -1;
    }
    int status = csv_next(&r);
    if (status == 0) {
        diag_plain("'%s' is empty", path);
        status = -1;
    }
    if (status > 0) {
        t->cols = r.field_count;
        t->names = calloc((size_t)t->cols, sizeof *t->names);
        for (int i = 0; t->names && i < t->cols; i++)
            t->names[i] = strdup(field_text(&r, i));
    }
    size_t capacity = 0;
    while (status > 0 && (status = csv_next(&r)) > 0) {
        if (r.field_count != t->cols) {
            diag_file_error(diag, path, csv_line_int(r.record_line), 1,
                            "%d fields where the header has %d", r.field_count, t->cols);
            status = -1;
            break;
        }
        if ((size_t)(t->rows + 1) * (size_t)t->cols > capacity) {
            capacity = capacity ? 2 * capacity : 64 * (size_t)t->cols;
            double *grown = realloc(t->values, capacity * sizeof *grown);
            if (!grown) {
                diag_plain("out of memory");
                status = -1;
                break;
            }
            t->values = grown;
        }
        for (int i = 0; i < t->cols; i++) {
            const char *text = field_text(&r, i);
            char *end;
            double v = strtod(text, &end);
            t->values[(size_t)t->rows * (size_t)t->cols + (size_t)i] =
                *text && !*end ? v : NAN;
        }
        t->rows++;
    }
    csv_close(&r);
    if (status == 0 && !t->names) {
        diag_plain("out of memory");
        status = -1;
    }
    for (int i = 0; status == 0 && i < t->cols; i++)
        if (!t->names[i]) {
            diag_plain("out of memory");
            status = -1;
        }
    if (status < 0)
        table_free(t);
    return status < 0 ? -1 : 0;
}

/* One run's curves. */
typedef struct Run {
    char label[512];
    Table metrics;
    int train_col, val_col; /* -1: none */
    int mark_row;           /* the early-stopping mark's row, or -1 */
} Run;

/* The row of the early-stopping mark: run.json's best_epoch when it has
 * one; else, when it says the run stopped early, the epoch of the lowest
 * monitored value (val_loss, or loss without validation); else none. */
static int mark_row(const char *dir, const Table *t)
{
    char path[4096], why[256];
    snprintf(path, sizeof path, "%s/run.json", dir);
    size_t size;
    char *text = file_read_all(path, 16 << 20, &size, why, sizeof why);
    LrJson *root = text ? json_parse(text, size, why, sizeof why) : NULL;
    free(text);
    if (!root)
        return -1;
    const LrJson *best = json_get(root, "best_epoch");
    const LrJson *stopped = json_get(root, "early_stopped");
    int epoch_col = table_column(t, "epoch"), row = -1;
    if (best && best->kind == LR_JSON_NUMBER && epoch_col >= 0) {
        for (int i = 0; i < t->rows && row < 0; i++)
            if (t->values[(size_t)i * (size_t)t->cols + (size_t)epoch_col] == best->number)
                row = i;
    } else if (stopped && stopped->kind == LR_JSON_BOOL && stopped->number != 0) {
        int col = table_column(t, "val_loss");
        if (col < 0)
            col = table_column(t, "loss");
        double lowest = INFINITY;
        for (int i = 0; col >= 0 && i < t->rows; i++) {
            double v = t->values[(size_t)i * (size_t)t->cols + (size_t)col];
            if (v < lowest)
                lowest = v, row = i;
        }
    }
    json_free(root);
    return row;
}

/* Reads dir's metrics.csv into run and finds metric's columns there.
 * Returns 0, or -1 (reported as a usage or input error). */
static int run_load(Run *run, const char *dir, const char *metric, LrDiag *diag)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        diag_plain("'%s' is not a run directory", dir);
        return -1;
    }
    if (stat(path, &st) != 0) {
        diag_plain("'%s' has no metrics.csv (is it a run directory, made with --out?)", dir);
        return -1;
    }
    if (table_read(path, &run->metrics, diag) < 0)
        return -1;
    const Table *t = &run->metrics;
    run->train_col = table_column(t, metric);
    if (run->train_col < 0 || strcmp(metric, "epoch") == 0) {
        const char *names[t->cols + 1];
        int n = 0;
        for (int i = 0; i < t->cols; i++)
            if (strcmp(t->names[i], "epoch") != 0)
                names[n++] = t->names[i];
        names[n] = NULL;
        const char *guess = diag_suggest(metric, strlen(metric), names);
        if (guess)
            diag_plain("unknown metric '%s' in '%s'; did you mean '%s'?", metric, path, guess);
        else
            diag_plain("unknown metric '%s' in '%s'", metric, path);
        return -1;
    }
    if (table_column(t, "epoch") < 0) {
        diag_plain("'%s' has no epoch column", path);
        return -1;
    }
    char val[256];
    snprintf(val, sizeof val, "val_%s", metric);
    run->val_col = table_column(t, val);
    run->mark_row = mark_row(dir, t);
    return 0;
}

/* A sweep's runs, labelled "name=value, ..." from sweep.csv's columns
 * between run and loss (its sweep's names). Returns the runs added to
 * runs[*count..], or -1 (reported). */
static int sweep_load(Run **runs, int *count, const char *dir, const char *metric, LrDiag *diag)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    /* Its values are labels, read as text (table_read keeps numbers). */
    LrCsvReader r;
    char why[1024];
    if (csv_open(&r, path, path, ',', NULL, diag, why, sizeof why) < 0) {
        diag_plain("cannot read '%s': %s", path, why);
        return -1;
    }
    int status = csv_next(&r), axes = 0;
    char names[16][128];
    if (status > 0)
        for (int i = 1; i < r.field_count && axes < 16; i++) {
            const char *name = field_text(&r, i);
            if (strcmp(name, "loss") == 0)
                break;
            snprintf(names[axes++], sizeof names[0], "%s", name);
        }
    while (status > 0 && (status = csv_next(&r)) > 0) {
        Run *grown = realloc(*runs, (size_t)(*count + 1) * sizeof *grown);
        if (!grown) {
            diag_plain("out of memory");
            status = -1;
            break;
        }
        *runs = grown;
        Run *run = &grown[*count];
        memset(run, 0, sizeof *run);
        char run_dir[4096];
        snprintf(run_dir, sizeof run_dir, "%s/run-%03d", dir, atoi(field_text(&r, 0)));
        size_t used = 0;
        for (int a = 0; a < axes && a + 1 < r.field_count; a++)
            used += (size_t)snprintf(run->label + used, used < sizeof run->label
                                     ? sizeof run->label - used : 0, "%s%s=%s",
                                     a ? ", " : "", names[a], field_text(&r, a + 1));
        if (run_load(run, run_dir, metric, diag) < 0) {
            table_free(&run->metrics);
            status = -1;
            break;
        }
        (*count)++;
    }
    csv_close(&r);
    return status < 0 ? -1 : 0;
}

LrStatus plot_curves(const char *const *dirs, int count, const char *metric, const char *out)
{
    LrDiag diag;
    diag_init(&diag, stderr);
    if (!metric)
        metric = "loss";
    Run *runs = NULL;
    int run_count = 0, failed = 0;
    for (int i = 0; i < count && !failed; i++) {
        char sweep[4096];
        snprintf(sweep, sizeof sweep, "%s/sweep.csv", dirs[i]);
        struct stat st;
        if (stat(sweep, &st) == 0) {
            failed = sweep_load(&runs, &run_count, dirs[i], metric, &diag) < 0;
            continue;
        }
        Run *grown = realloc(runs, (size_t)(run_count + 1) * sizeof *grown);
        if (!grown) {
            diag_plain("out of memory");
            failed = 1;
            break;
        }
        runs = grown;
        memset(&runs[run_count], 0, sizeof *runs);
        size_t len = strlen(dirs[i]);
        while (len > 1 && dirs[i][len - 1] == '/')
            len--;
        snprintf(runs[run_count].label, sizeof runs[0].label, "%.*s", (int)len, dirs[i]);
        failed = run_load(&runs[run_count], dirs[i], metric, &diag) < 0;
        if (failed)
            table_free(&runs[run_count].metrics);
        else
            run_count++;
    }
    LrStatus status = status_of(failed ? LR_LANGUAGE_ERROR : LR_OK);
    if (!failed && run_count == 0) {
        diag_plain("nothing to plot: the sweep has no runs");
        status = status_of(LR_LANGUAGE_ERROR);
    }
    if (status_ok(status)) {
        double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
        for (int i = 0; i < run_count; i++) {
            const Table *t = &runs[i].metrics;
            int epoch = table_column(t, "epoch");
            for (int row = 0; row < t->rows; row++) {
                const double *v = t->values + (size_t)row * (size_t)t->cols;
                range_add(&x0, &x1, &v[epoch], 1);
                range_add(&y0, &y1, &v[runs[i].train_col], 1);
                if (runs[i].val_col >= 0)
                    range_add(&y0, &y1, &v[runs[i].val_col], 1);
            }
        }
        if (!(x0 <= x1) || !(y0 <= y1)) {
            diag_plain("nothing to plot: no epoch has a value of %s", metric);
            status = status_of(LR_LANGUAGE_ERROR);
        }
        Figure f;
        char why[4200], title[300];
        snprintf(title, sizeof title, "%s by epoch", metric);
        if (status_ok(status) &&
            (plplot_load("lrc plot", why, sizeof why) < 0 ||
             figure_begin(&f, out, x0, x1, y0, y1, "epoch", metric, title, why, sizeof why) < 0)) {
            diag_plain("%s", why);
            status = status_of(LR_RUN_FAILED);
        } else if (status_ok(status)) {
            int entries = 0, cap = 2 * run_count + 1;
            char (*labels)[640] = calloc((size_t)cap, sizeof *labels);
            const char **label_list = calloc((size_t)cap, sizeof *label_list);
            PLINT *colors = calloc((size_t)cap * 3, sizeof *colors);
            bool marked = false;
            for (int i = 0; i < run_count && labels && label_list && colors; i++) {
                const Run *run = &runs[i];
                const Table *t = &run->metrics;
                double *x = malloc(2 * (size_t)(t->rows + 1) * sizeof *x);
                if (!x)
                    continue;
                double *y = x + t->rows + 1;
                int epoch = table_column(t, "epoch");
                char name[600];
                plot_text(name, sizeof name, run->label);
                pl.c_plcol0(series_color(i));
                for (int k = 0; k < 2; k++) {
                    int col = k == 0 ? run->train_col : run->val_col;
                    if (col < 0)
                        continue;
                    for (int row = 0; row < t->rows; row++) {
                        x[row] = t->values[(size_t)row * (size_t)t->cols + (size_t)epoch];
                        y[row] = t->values[(size_t)row * (size_t)t->cols + (size_t)col];
                    }
                    pl.c_pllsty(k == 0 ? 1 : 2); /* validation dashed */
                    draw_series(x, y, t->rows);
                    snprintf(labels[entries], sizeof labels[0], "%s%s", name,
                             run->val_col < 0 ? "" : k == 0 ? " (training)" : " (validation)");
                    colors[entries] = series_color(i);
                    colors[cap + entries] = k == 0 ? 1 : 2;
                    colors[2 * cap + entries] = PL_LEGEND_LINE;
                    entries++;
                }
                pl.c_pllsty(1);
                if (run->mark_row >= 0) {
                    int col = run->val_col >= 0 ? run->val_col : run->train_col;
                    PLFLT mx = t->values[(size_t)run->mark_row * (size_t)t->cols + (size_t)epoch];
                    PLFLT my = t->values[(size_t)run->mark_row * (size_t)t->cols + (size_t)col];
                    if (isfinite(my)) {
                        pl.c_pllsty(3);
                        pl.c_pljoin(mx, y0, mx, y1);
                        pl.c_pllsty(1);
                        pl.c_plstring(1, &mx, &my, MARK_SYMBOL);
                        marked = true;
                    }
                }
                free(x);
            }
            if (marked && labels && label_list && colors) {
                snprintf(labels[entries], sizeof labels[0], "best epoch (early stopping)");
                colors[entries] = COLOR_FRAME;
                colors[cap + entries] = 1;
                colors[2 * cap + entries] = PL_LEGEND_SYMBOL;
                entries++;
            }
            for (int i = 0; label_list && labels && i < entries; i++)
                label_list[i] = labels[i];
            if (entries > 0)
                draw_legend(entries, label_list, colors, colors + cap, colors + 2 * cap);
            bool short_of_memory = !labels || !label_list || !colors;
            free(labels);
            free(label_list);
            free(colors);
            if (figure_end(&f, why, sizeof why) < 0 || short_of_memory) {
                diag_plain("%s", short_of_memory ? "out of memory" : why);
                status = status_of(LR_RUN_FAILED);
            }
        }
    }
    for (int i = 0; i < run_count; i++)
        table_free(&runs[i].metrics);
    free(runs);
    return status;
}

/* ------------------------------------------------------------ schedules */

LrStatus plot_schedules(const LrScheduleSpec *schedules, const char *const *labels, int count,
                        int64_t steps, const char *out)
{
    double *x = malloc((size_t)(steps > 0 ? steps : 1) * (size_t)(count + 1) * sizeof *x);
    const char **names = calloc((size_t)count, sizeof *names);
    char (*texts)[600] = calloc((size_t)count, sizeof *texts);
    PLINT *legend = calloc((size_t)count * 3, sizeof *legend);
    if (!x || !names || !texts || !legend) {
        free(x), free(names), free(texts), free(legend);
        diag_plain("out of memory");
        return status_of(LR_RUN_FAILED);
    }
    double y0 = INFINITY, y1 = -INFINITY;
    for (int64_t s = 0; s < steps; s++)
        x[s] = (double)s;
    for (int i = 0; i < count; i++) {
        double *y = x + (size_t)(i + 1) * (size_t)steps;
        for (int64_t s = 0; s < steps; s++)
            y[s] = schedule_lr(&schedules[i], s);
        range_add(&y0, &y1, y, (int)steps);
    }
    if (!(y0 <= y1))
        y0 = y1 = 0;
    Figure f;
    char why[4200];
    LrStatus status = status_of(LR_OK);
    if (plplot_load("lrc plot", why, sizeof why) < 0 ||
        figure_begin(&f, out, 0, steps > 1 ? (double)(steps - 1) : 0, y0, y1, "step",
                     "learning rate", "learning rate by step", why, sizeof why) < 0) {
        diag_plain("%s", why);
        status = status_of(LR_RUN_FAILED);
    } else {
        for (int i = 0; i < count; i++) {
            pl.c_plcol0(series_color(i));
            draw_series(x, x + (size_t)(i + 1) * (size_t)steps, (int)steps);
            plot_text(texts[i], sizeof texts[i], labels[i]);
            names[i] = texts[i];
            legend[i] = series_color(i);
            legend[count + i] = 1;
            legend[2 * count + i] = PL_LEGEND_LINE;
        }
        if (count > 0)
            draw_legend(count, names, legend, legend + count, legend + 2 * count);
        if (figure_end(&f, why, sizeof why) < 0) {
            diag_plain("%s", why);
            status = status_of(LR_RUN_FAILED);
        }
    }
    free(x), free(names), free(texts), free(legend);
    return status;
}

/* ------------------------------------------------------------- descent */

/* The visited range of variable v, widened by DESCENT_MARGIN (by one on
 * each side when the descent never moved it). */
static void descent_range(const double *path, int64_t count, int vars, int v, double *lo,
                          double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (int64_t i = 0; i < count; i++)
        range_add(lo, hi, &path[i * vars + v], 1);
    double margin = *hi > *lo ? DESCENT_MARGIN * (*hi - *lo) : 1;
    *lo -= margin, *hi += margin;
}

int plot_descent(const LrMinimizeSpec *m, const double *path, int64_t count, const char *out,
                 char *why, size_t why_size)
{
    const int n = m->var_count;
    if (n > 2 || count < 1) {
        snprintf(why, why_size, "cannot draw '%s': plot= draws one or two variables", out);
        return -1;
    }
    size_t grid = n == 1 ? CURVE_SAMPLES : (size_t)CONTOUR_SAMPLES * CONTOUR_SAMPLES;
    double *work = malloc((2 * (size_t)m->expr.count + 3 * grid + 2 * (size_t)count) *
                          sizeof *work);
    const PLFLT **rows = malloc(CONTOUR_SAMPLES * sizeof *rows);
    if (!work || !rows) {
        free(work), free(rows);
        snprintf(why, why_size, "cannot draw '%s': out of memory", out);
        return -1;
    }
    double *adjoint = work + m->expr.count, *gx = adjoint + m->expr.count, *gy = gx + grid,
           *gz = gy + grid, *px = gz + grid, *py = px + count;
    double x0, x1, y0 = INFINITY, y1 = -INFINITY;
    descent_range(path, count, n, 0, &x0, &x1);
    /* The function on the grid, through the tape the descent used. */
    if (n == 1) {
        for (size_t i = 0; i < grid; i++) {
            double x = x0 + (x1 - x0) * (double)i / (double)(grid - 1);
            gx[i] = x;
            gz[i] = expr_eval(&m->expr, &x, NULL, work, adjoint, NULL);
        }
        for (int64_t i = 0; i < count; i++) {
            px[i] = path[i];
            py[i] = expr_eval(&m->expr, &path[i], NULL, work, adjoint, NULL);
        }
        range_add(&y0, &y1, gz, (int)grid);
        range_add(&y0, &y1, py, (int)count);
        if (!(y0 <= y1))
            y0 = y1 = 0;
    } else {
        descent_range(path, count, n, 1, &y0, &y1);
        for (int i = 0; i < CONTOUR_SAMPLES; i++) {
            gx[i] = x0 + (x1 - x0) * i / (CONTOUR_SAMPLES - 1);
            gy[i] = y0 + (y1 - y0) * i / (CONTOUR_SAMPLES - 1);
        }
        for (int i = 0; i < CONTOUR_SAMPLES; i++) {
            rows[i] = gz + (size_t)i * CONTOUR_SAMPLES;
            for (int j = 0; j < CONTOUR_SAMPLES; j++) {
                double at[2] = {gx[i], gy[j]};
                gz[(size_t)i * CONTOUR_SAMPLES + (size_t)j] =
                    expr_eval(&m->expr, at, NULL, work, adjoint, NULL);
            }
        }
        for (int64_t i = 0; i < count; i++) {
            px[i] = path[2 * i];
            py[i] = path[2 * i + 1];
        }
    }
    char vars[300], title[1200];
    snprintf(vars, sizeof vars, "%s", m->var_names[0]);
    snprintf(title, sizeof title, "minimize %s", m->text);
    Figure f;
    if (plplot_load("plot=", why, why_size) < 0 ||
        figure_begin(&f, out, x0, x1, y0, y1, vars, n == 1 ? m->text : m->var_names[1], title,
                     why, why_size) < 0) {
        free(work), free(rows);
        return -1;
    }
    pl.c_plcol0(COLOR_FIRST);
    if (n == 1) {
        draw_series(gx, gz, (int)grid);
    } else {
        double lo = INFINITY, hi = -INFINITY;
        range_add(&lo, &hi, gz, (int)grid);
        PLFLT levels[CONTOUR_LEVELS];
        for (int i = 0; i < CONTOUR_LEVELS; i++)
            levels[i] = lo + (hi - lo) * (i + 0.5) / CONTOUR_LEVELS;
        PLcGrid cgrid = {gx, gy, NULL, CONTOUR_SAMPLES, CONTOUR_SAMPLES, 0};
        if (hi > lo)
            pl.c_plcont(rows, CONTOUR_SAMPLES, CONTOUR_SAMPLES, 1, CONTOUR_SAMPLES, 1,
                        CONTOUR_SAMPLES, levels, CONTOUR_LEVELS, pl.pltr1, &cgrid);
    }
    /* The steps: joined in order, each a point. */
    pl.c_plcol0(COLOR_FIRST + 1);
    draw_series(px, py, (int)count);
    pl.c_plpoin((PLINT)count, px, py, 17);
    int status = figure_end(&f, why, why_size);
    free(work), free(rows);
    return status;
}

/* -------------------------------------------------------------- helper */

/* A request: the statement's index, the point count, then the points; a
 * reply: 0 or -1, the reason's length, the reason. */

static int read_all(int fd, void *data, size_t size)
{
    for (char *p = data; size > 0;) {
        ssize_t n = read(fd, p, size);
        if (n <= 0)
            return -1;
        p += n, size -= (size_t)n;
    }
    return 0;
}

/* send, not write: a helper that is gone is an error, not SIGPIPE. */
static int send_all(int fd, const void *data, size_t size)
{
    for (const char *p = data; size > 0;) {
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        p += n, size -= (size_t)n;
    }
    return 0;
}

static void helper_serve(int fd, const LrSpec *spec)
{
    /* An interruption is the run's to handle; the helper ends when the
     * run closes its socket. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    int32_t index;
    int64_t count;
    while (read_all(fd, &index, sizeof index) == 0 && read_all(fd, &count, sizeof count) == 0) {
        if (index < 0 || index >= spec->minimize_count || count < 1 || count > PLOT_MAX_PATH + 1)
            break;
        const LrMinimizeSpec *m = &spec->minimizes[index];
        size_t size = (size_t)count * (size_t)m->var_count * sizeof(double);
        double *path = malloc(size);
        char why[4200] = "out of memory";
        int32_t status = -1;
        if (!path || read_all(fd, path, size) < 0) {
            free(path);
            break;
        }
        status = plot_descent(m, path, count, m->plot_path, why, sizeof why);
        free(path);
        uint32_t length = status == 0 ? 0 : (uint32_t)strlen(why);
        if (send_all(fd, &status, sizeof status) < 0 || send_all(fd, &length, sizeof length) < 0 ||
            send_all(fd, why, length) < 0)
            break;
    }
}

int plot_helper_start(LrPlotHelper *h, const LrSpec *spec, char *why, size_t why_size)
{
    memset(h, 0, sizeof *h);
    h->spec = spec;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
        snprintf(why, why_size, "cannot start drawing: %s", strerror(errno));
        return -1;
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_size, "cannot start drawing: %s", strerror(errno));
        close(fds[0]), close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        helper_serve(fds[1], spec);
        _exit(0);
    }
    close(fds[1]);
    h->pid = (int)pid;
    h->fd = fds[0];
    return 0;
}

int plot_helper_descent(LrPlotHelper *h, const LrMinimizeSpec *m, const double *path,
                        int64_t count, char *why, size_t why_size)
{
    int32_t index = (int32_t)(m - h->spec->minimizes), status;
    uint32_t length;
    if (send_all(h->fd, &index, sizeof index) == 0 && send_all(h->fd, &count, sizeof count) == 0 &&
        send_all(h->fd, path, (size_t)count * (size_t)m->var_count * sizeof *path) == 0 &&
        read_all(h->fd, &status, sizeof status) == 0 && read_all(h->fd, &length, sizeof length) == 0 &&
        length < why_size && read_all(h->fd, why, length) == 0) {
        why[length] = '\0';
        return status == 0 ? 0 : -1;
    }
    snprintf(why, why_size, "cannot draw '%s': the drawing process ended", m->plot_path);
    return -1;
}

void plot_helper_stop(LrPlotHelper *h)
{
    if (!h->pid)
        return;
    close(h->fd);
    while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    h->pid = 0;
}
