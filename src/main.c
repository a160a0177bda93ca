/* main.c — the command line: options from one table, the subcommands. The
 * only caller of exit(), and the one place (exit_code) where a stage's
 * LrStatus becomes an exit status. It prints nothing itself: results go
 * through report.h, messages through diag.h. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "blas.h"
#include "check.h"
#include "diag.h"
#include "parse.h"
#include "data.h"
#include "explain.h"
#include "lsp.h"
#include "export.h"
#include "fileio.h"
#include "fmt.h"
#include "minimize.h"
#include "model.h"
#include "sweep.h"
#include "dist.h"
#include "slurm.h"
#include "plan.h"
#include "plot.h"
#include "pool.h"
#include "predict.h"
#include "report.h"
#include "run.h"
#include "sandbox.h"
#include "schedule.h"
#include "status.h"
#include "summary.h"
#include "verify.h"
#include "weights.h"

#include "version.h"

static const char usage_text[] =
    "usage: lrc FILE.lr [--set NAME=VALUE]... [--seed N] [--threads N] [--out DIR]\n"
    "                   [-j N] [--quiet]\n"
    "       lrc FILE.lr --run-index I --out DIR [--set NAME=VALUE]... [--seed N]\n"
    "                   [--threads N] [--quiet]\n"
    "       lrc FILE.lr --slurm [--slurm-opt OPTIONS]... --out DIR\n"
    "                   [--set NAME=VALUE]... [--seed N] [--threads N] [--quiet]\n"
    "       lrc collect DIR\n"
    "       mpirun -np N lrc FILE.lr [--out DIR] [--threads N] [--quiet]\n"
    "       lrc --resume DIR [--threads N] [--quiet]\n"
    "       lrc check FILE.lr [--set NAME=VALUE]... [--explain]\n"
    "       lrc summary FILE.lr|MODEL [--set NAME=VALUE]...\n"
    "       lrc schedule EXPR --steps N\n"
    "       lrc plot RUN_DIR... -o FIGURE [--metric NAME]\n"
    "       lrc plot --schedule EXPR [--schedule EXPR]... --steps N -o FIGURE\n"
    "       lrc predict MODEL DATA.csv [-o FILE.csv] [--keep COLUMN]... [--force]\n"
    "                   [--delimiter C] [--threads N]\n"
    "       lrc export MODEL [--c FILE.c [--name NAME]] [--onnx FILE.onnx] [--force]\n"
    "       lrc verify RUN_DIR [--data DIR] [--threads N]\n"
    "       lrc lsp [--allow-read DIR]...\n"
    "       lrc fmt [--check] FILE.lr... | lrc fmt -\n"
    "       lrc --help | --version\n";

static const char help_text[] =
    "lrc runs the machine-learning experiment described in an .lr file.\n"
    "\n"
    "  lrc FILE.lr            check, then train; results on stdout\n"
    "                         (FILE.lr '-': standard input)\n"
    "  lrc check FILE.lr      parse and validate only (a CSV's header and first 100\n"
    "                         rows); prints only errors (every one, in the\n"
    "                         file's order, up to 20) and warnings\n"
    "  lrc summary FILE.lr|MODEL\n"
    "                         the model's layers (name, output shape,\n"
    "                         activation, parameters), total parameters and\n"
    "                         their size, input and output; MODEL: a\n"
    "                         model.safetensors or a run directory; an\n"
    "                         inference file: the model it loads\n"
    "  lrc schedule EXPR --steps N\n"
    "                         print the learning rate of steps 0..N-1\n"
    "  lrc plot RUN_DIR... -o FIGURE\n"
    "                         draw the learning curves of runs (a sweep's\n"
    "                         directory: all its runs) to FIGURE (.png, .svg,\n"
    "                         .pdf)\n"
    "  lrc plot --schedule EXPR... --steps N -o FIGURE\n"
    "                         draw learning-rate schedules over steps 0..N-1\n"
    "  lrc predict MODEL DATA.csv\n"
    "                         the model's predictions for each row of DATA.csv\n"
    "                         (MODEL: a model.safetensors or a run directory),\n"
    "                         as CSV on stdout or to -o FILE.csv\n"
    "  lrc export MODEL --c FILE.c | --onnx FILE.onnx\n"
    "                         write a trained model (a model.safetensors or a\n"
    "                         run directory) as one C99 file or as ONNX\n"
    "  lrc verify RUN_DIR     run the experiment RUN_DIR/run.json records again\n"
    "                         and compare every metrics.csv row (but seconds)\n"
    "                         and the weights: 'reproduced: SHA256', or the\n"
    "                         first difference and status 1\n"
    "  lrc lsp                a language server (LSP) on stdin and stdout for\n"
    "                         editors: diagnostics, quick fixes, hover,\n"
    "                         completion, go to definition\n"
    "  lrc fmt FILE.lr...     rewrite files in the canonical layout (only those\n"
    "                         it changes); '-': standard input to stdout\n"
    "  lrc collect DIR        the table and DIR/sweep.csv of a sweep whose runs\n"
    "                         ran one by one (--run-index, --slurm), as the\n"
    "                         whole sweep prints and writes them\n"
    "  mpirun -np N lrc FILE.lr\n"
    "                         train one model with N processes, each computing\n"
    "                         its share of every batch's shards (train shard=);\n"
    "                         the same bytes as without mpirun\n"
    "\n"
    "options:\n"
    "  --set NAME=VALUE\n"
    "                 replace the value of `let NAME` (same type);\n"
    "                 NAME=sweep(...) sweeps it\n"
    "  --seed N       override the file's seed\n"
    "  -j N           run N runs of a sweep at a time (default 1); under\n"
    "                 mpirun, each process runs its share of the runs into\n"
    "                 --out DIR and the first prints the table\n"
    "  --run-index I  run only run I (from 0) of the sweep, into its directory\n"
    "                 below --out DIR, as the whole sweep would (no table)\n"
    "  --slurm        submit the sweep to Slurm as a job array (DIR/sweep.sbatch,\n"
    "                 one --run-index task per run) and a job that collects it\n"
    "  --slurm-opt OPTIONS\n"
    "                 sbatch options for both jobs (a partition, a time\n"
    "                 limit), as #SBATCH lines of DIR/sweep.sbatch\n"
    "  --allow-read DIR, --allow-write DIR\n"
    "                 let the file read (write) below DIR too; by default it\n"
    "                 reads only below its own directory (the current one for\n"
    "                 standard input), the module path and where it may write,\n"
    "                 and writes only below the run directory (--out) or,\n"
    "                 without one, its own directory; /dev, /proc and /sys\n"
    "                 only with --allow-read\n"
    "  --explain      (check) print the experiment with every default filled in\n"
    "  -o FIGURE      (plot) the figure to write\n"
    "  -o FILE.csv    (predict) write the predictions there, whole or not at\n"
    "                 all (default: stdout)\n"
    "  --keep COLUMN  (predict) copy COLUMN of DATA.csv into the output, before\n"
    "                 the predictions; repeat it for more\n"
    "  --delimiter C  (predict) DATA.csv's field delimiter (default ',')\n"
    "  --data DIR     (verify) where the run's data paths start (default: the\n"
    "                 experiment file's directory while it exists, else the\n"
    "                 current one); each file must have its recorded SHA-256\n"
    "  --metric NAME  (plot) the column of metrics.csv to draw (default loss;\n"
    "                 val_NAME beside it too)\n"
    "  --schedule EXPR\n"
    "                 (plot) a schedule to draw; repeat it to compare\n"
    "  --out DIR      write metrics.csv (a row each epoch), run.json,\n"
    "                 model.safetensors, split.csv (each row's part) and a\n"
    "                 checkpoint to DIR; each minimize's trace as trace-N.csv;\n"
    "                 evaluate N's confusion=true matrix as confusion-N.csv\n"
    "  --checkpoint-every Nepochs | Ns\n"
    "                 checkpoint every N epochs, or after N seconds of\n"
    "                 training since the last (default 60s); always at the\n"
    "                 end and on SIGINT/SIGTERM\n"
    "  --force        let --out DIR replace the run DIR holds (its run.json,\n"
    "                 checkpoint, sweep.csv, metrics.csv, model, split.csv,\n"
    "                 traces and confusion matrices);\n"
    "                 without it, such a DIR is refused; (predict, export)\n"
    "                 replace an existing output file\n"
    "  --check        (fmt) change nothing: list the files that would change,\n"
    "                 and exit 1 if there are any\n"
    "  --c FILE.c     (export) write the model as C99: NAME_predict()\n"
    "  --name NAME    (export) the C prefix (default model)\n"
    "  --onnx FILE.onnx\n"
    "                 (export) write the model as ONNX (opset 13)\n"
    "  --resume DIR   continue the run checkpointed in DIR, as it was (no\n"
    "                 --set: `load` DIR/checkpoint.safetensors in a new run)\n"
    "  --halt-after N stop as if interrupted after N updates (to test resume)\n"
    "  --threads N    threads for BLAS and lrc's own loops (default: the\n"
    "                 number of cores, shared among mpirun's ranks on the\n"
    "                 machine); results are identical whatever N is\n"
    "  --quiet        nothing on stderr but errors (no model line; no progress\n"
    "                 line, drawn during each epoch when stderr is a terminal;\n"
    "                 no timings)\n"
    "  --help         this text\n"
    "  --version      the version\n"
    "\n"
    "Exit status: 0 success, 1 the run failed, 2 a usage, language or data\n"
    "error (found before training starts).\n"
    "See lrc(1) and lr(5).\n";

/* The subcommands, as bits so that an option can name those it applies to. */
typedef enum Command {
    CMD_RUN = 1,
    CMD_CHECK = 2,
    CMD_SCHEDULE = 4,
    CMD_PLOT = 8,
    CMD_SUMMARY = 16,
    CMD_EXPORT = 32,
    CMD_PREDICT = 64,
    CMD_VERIFY = 128,
    CMD_LSP = 256,
    CMD_FMT = 512,
    CMD_COLLECT = 1024
} Command;
enum { CMD_ALL = CMD_RUN | CMD_CHECK | CMD_SCHEDULE };

/* The strings of a repeatable option, in the order given (argv's own). */
typedef struct ArgList {
    const char **items;
    int count;
} ArgList;

typedef struct Options {
    Command command;
    const char *file;     /* or the schedule expression */
    long long seed;       /* -1: the file's */
    long long threads;    /* 0: the number of cores */
    long long steps;      /* -1: not given */
    long long halt_after; /* 0: never */
    long long jobs;       /* 0: not given (one run at a time) */
    long long run_index;  /* -1: not given (every run of a sweep) */
    bool slurm;           /* submit the sweep to Slurm */
    ArgList slurm_opts;   /* each --slurm-opt */
    bool quiet, explain, force;
    bool fmt_check;       /* fmt's --check */
    const char *out_dir, *resume_dir;
    const char *checkpoint_text;         /* --checkpoint-every as given, */
    LrCheckpointEvery checkpoint_every;  /* and as read */
    ArgList sets;         /* NAME=VALUE of each --set */
    ArgList allow_read, allow_write;
    ArgList inputs;       /* plot's run directories; fmt's files */
    ArgList schedules;    /* plot's --schedule expressions */
    const char *figure, *metric; /* plot's -o and --metric; predict's -o */
    const char *c_path, *onnx_path, *name; /* export's --c, --onnx and --name */
    const char *data;     /* predict's DATA.csv (file: its MODEL) */
    ArgList keep;         /* predict's --keep columns */
    const char *delimiter; /* predict's --delimiter */
    const char *data_dir; /* verify's --data */
} Options;

/* ------------------------------------------------------------ options */

typedef enum OptionKind {
    OPTION_FLAG,        /* sets a bool */
    OPTION_INTEGER,     /* a long long in [lo, hi] */
    OPTION_DIRECTORY,   /* a const char *, not empty */
    OPTION_DIRECTORIES, /* appends to an ArgList, not empty */
    OPTION_TEXT,        /* a const char *, not empty: "needs WANTED" */
    OPTION_TEXTS,       /* appends to an ArgList, not empty: "needs WANTED" */
    OPTION_SETTING,     /* appends NAME=VALUE to an ArgList */
    OPTION_INTERVAL,    /* N epochs or N seconds (LrCheckpointEvery), and its text */
    OPTION_HELP,
    OPTION_VERSION,
} OptionKind;

typedef struct OptionRow {
    const char *name, *alias;
    OptionKind kind;
    unsigned commands;       /* the subcommands it applies to (check_options) */
    size_t field;            /* offsetof(Options, ...) of what it sets */
    long long lo, hi;        /* OPTION_INTEGER's range, */
    const char *wanted;      /* said as "NAME needs WANTED, not 'VALUE'" */
    bool missing_is_empty;   /* a missing value is that message for '' (else "needs a value") */
} OptionRow;

/* Every option, once. The long names are also the did-you-mean candidates,
 * in this order (the first of equally close ones wins). */
static const OptionRow option_rows[] = {
    {"--seed", NULL, OPTION_INTEGER, CMD_ALL, offsetof(Options, seed), 0, 9007199254740992LL,
     "an integer from 0 to 2^53", false},
    {"--threads", NULL, OPTION_INTEGER, CMD_ALL | CMD_PREDICT | CMD_VERIFY, offsetof(Options, threads), 1, 1024,
     "an integer from 1 to 1024", false},
    {"--quiet", NULL, OPTION_FLAG, CMD_ALL, offsetof(Options, quiet), 0, 0, NULL, false},
    {"--steps", NULL, OPTION_INTEGER, CMD_SCHEDULE | CMD_PLOT, offsetof(Options, steps), 0, 1000000000LL,
     "an integer from 0 to 10^9", false},
    {"--help", "-h", OPTION_HELP, CMD_ALL | CMD_SUMMARY, 0, 0, 0, NULL, false},
    {"--version", NULL, OPTION_VERSION, CMD_ALL | CMD_SUMMARY, 0, 0, 0, NULL, false},
    {"--set", NULL, OPTION_SETTING, CMD_ALL | CMD_SUMMARY, offsetof(Options, sets), 0, 0, NULL, false},
    {"--out", NULL, OPTION_DIRECTORY, CMD_ALL, offsetof(Options, out_dir), 0, 0, NULL, false},
    {"--resume", NULL, OPTION_DIRECTORY, CMD_RUN, offsetof(Options, resume_dir), 0, 0, NULL,
     false},
    {"--halt-after", NULL, OPTION_INTEGER, CMD_ALL, offsetof(Options, halt_after), 1,
     1000000000000LL, "a number of updates >= 1", true},
    {"--explain", NULL, OPTION_FLAG, CMD_CHECK, offsetof(Options, explain), 0, 0, NULL, false},
    {"--check", NULL, OPTION_FLAG, CMD_FMT, offsetof(Options, fmt_check), 0, 0, NULL, false},
    {"--allow-read", NULL, OPTION_DIRECTORIES, CMD_ALL | CMD_SUMMARY | CMD_LSP, offsetof(Options, allow_read), 0, 0,
     NULL, false},
    {"--allow-write", NULL, OPTION_DIRECTORIES, CMD_ALL, offsetof(Options, allow_write), 0, 0,
     NULL, false},
    {"-j", NULL, OPTION_INTEGER, CMD_ALL, offsetof(Options, jobs), 1, 256,
     "a number of runs from 1 to 256", true},
    {"--metric", NULL, OPTION_TEXT, CMD_PLOT, offsetof(Options, metric), 0, 0,
     "a column of metrics.csv", false},
    {"--schedule", NULL, OPTION_TEXTS, CMD_PLOT, offsetof(Options, schedules), 0, 0,
     "a schedule, e.g. 'exp_decay(0.1, steps=100, rate=0.5)'", false},
    {"-o", NULL, OPTION_TEXT, CMD_PLOT | CMD_PREDICT, offsetof(Options, figure), 0, 0,
     "a file name (plot: ending in .png, .svg or .pdf)", false},
    {"--force", NULL, OPTION_FLAG, CMD_RUN | CMD_EXPORT | CMD_PREDICT, offsetof(Options, force), 0,
     0, NULL, false},
    {"--c", NULL, OPTION_TEXT, CMD_EXPORT, offsetof(Options, c_path), 0, 0,
     "the C file to write", false},
    {"--name", NULL, OPTION_TEXT, CMD_EXPORT, offsetof(Options, name), 0, 0,
     "a C identifier", false},
    {"--onnx", NULL, OPTION_TEXT, CMD_EXPORT, offsetof(Options, onnx_path), 0, 0,
     "the ONNX file to write", false},
    {"--keep", NULL, OPTION_TEXTS, CMD_PREDICT, offsetof(Options, keep), 0, 0,
     "a column of the data", false},
    {"--delimiter", NULL, OPTION_TEXT, CMD_PREDICT, offsetof(Options, delimiter), 0, 0,
     "one character, e.g. ';'", false},
    {"--data", NULL, OPTION_DIRECTORY, CMD_VERIFY, offsetof(Options, data_dir), 0, 0, NULL, false},
    {"--checkpoint-every", NULL, OPTION_INTERVAL, CMD_RUN, offsetof(Options, checkpoint_every),
     1, 1000000000LL, "N epochs or N seconds from 1 to 10^9, e.g. '5epochs' or '30s'", false},
    {"--run-index", NULL, OPTION_INTEGER, CMD_RUN, offsetof(Options, run_index), 0, 1000000000LL,
     "a run's index from 0", true},
    {"--slurm", NULL, OPTION_FLAG, CMD_RUN, offsetof(Options, slurm), 0, 0, NULL, false},
    {"--slurm-opt", NULL, OPTION_TEXTS, CMD_RUN, offsetof(Options, slurm_opts), 0, 0,
     "sbatch options, e.g. '--partition=x --time=10'", false},
};
enum { OPTION_COUNT = sizeof option_rows / sizeof option_rows[0] };

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static LrStatus usage_error(const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    diag_plain("%s", message);
    diag_text(usage_text);
    return status_of(LR_LANGUAGE_ERROR);
}

/* Reads "Ns" (seconds of training) or "Nepochs" ("1epoch"), N an integer
 * in [lo, hi]. */
static bool parse_interval(const char *s, long long lo, long long hi, LrCheckpointEvery *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || v < lo || v > hi)
        return false;
    if (strcmp(end, "s") == 0)
        *out = (LrCheckpointEvery){0, (double)v};
    else if (strcmp(end, "epochs") == 0 || strcmp(end, "epoch") == 0)
        *out = (LrCheckpointEvery){v, 0};
    else
        return false;
    return true;
}

/* Parses a whole decimal integer in [lo, hi]. */
static bool parse_integer(const char *s, long long lo, long long hi, long long *out)
{
    if (!*s || *s == ' ')
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static const OptionRow *option_find(const char *arg)
{
    for (int i = 0; i < OPTION_COUNT; i++)
        if (strcmp(arg, option_rows[i].name) == 0 ||
            (option_rows[i].alias && strcmp(arg, option_rows[i].alias) == 0))
            return &option_rows[i];
    return NULL;
}

static LrStatus unknown_option(const char *arg)
{
    const char *names[OPTION_COUNT + 1];
    int n = 0;
    for (int i = 0; i < OPTION_COUNT; i++)
        if (strncmp(option_rows[i].name, "--", 2) == 0)
            names[n++] = option_rows[i].name;
    names[n] = NULL;
    const char *guess = diag_suggest(arg, strlen(arg), names);
    if (!guess)
        return usage_error("unknown option '%s'", arg);
    diag_plain("unknown option '%s'; did you mean '%s'?", arg, guess);
    diag_text(usage_text);
    return status_of(LR_LANGUAGE_ERROR);
}

/* Applies row to o with value (argv's next string, or NULL), taking it
 * when the row takes a value: *used says so. */
static LrStatus option_apply(const OptionRow *row, const char *value, Options *o, bool *used)
{
    char *field = (char *)o + row->field;
    long long v;
    *used = row->kind != OPTION_FLAG;
    switch (row->kind) {
    case OPTION_FLAG:
        *(bool *)(void *)field = true;
        break;
    case OPTION_INTEGER:
        if (!value && !row->missing_is_empty)
            return usage_error("%s needs a value", row->name);
        if (!value || !parse_integer(value, row->lo, row->hi, &v))
            return usage_error("%s needs %s, not '%s'", row->name, row->wanted,
                               value ? value : "");
        *(long long *)(void *)field = v;
        break;
    case OPTION_DIRECTORY:
    case OPTION_DIRECTORIES:
        if (!value || !*value)
            return usage_error("%s needs a directory", row->name);
        if (row->kind == OPTION_DIRECTORY) {
            *(const char **)(void *)field = value;
        } else {
            ArgList *list = (ArgList *)(void *)field;
            list->items[list->count++] = value;
        }
        break;
    case OPTION_TEXT:
    case OPTION_TEXTS:
        if (!value || !*value)
            return usage_error("%s needs %s", row->name, row->wanted);
        if (row->kind == OPTION_TEXT) {
            *(const char **)(void *)field = value;
        } else {
            ArgList *list = (ArgList *)(void *)field;
            list->items[list->count++] = value;
        }
        break;
    case OPTION_SETTING: {
        if (!value || !strchr(value, '='))
            return usage_error("%s takes NAME=VALUE, not '%s'", row->name, value ? value : "");
        ArgList *list = (ArgList *)(void *)field;
        list->items[list->count++] = value;
        break;
    }
    case OPTION_INTERVAL:
        if (!value)
            return usage_error("%s needs a value", row->name);
        if (!parse_interval(value, row->lo, row->hi, (LrCheckpointEvery *)(void *)field))
            return usage_error("%s needs %s, not '%s'", row->name, row->wanted, value);
        o->checkpoint_text = value;
        break;
    case OPTION_HELP:
    case OPTION_VERSION:
        break;
    }
    return status_of(LR_OK);
}

/* What the options say together, once all are read: the rules that no
 * single option's row can state. */
/* The subcommands an option applies to, as "only applies to 'lrc ...'"
 * names them: "plot' and 'lrc predict", "FILE.lr', 'lrc export' and 'lrc
 * predict". */
static void command_names(unsigned commands, char *out, size_t size)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{CMD_RUN, "FILE.lr"},     {CMD_CHECK, "check"},     {CMD_SCHEDULE, "schedule"},
                 {CMD_PLOT, "plot"},       {CMD_SUMMARY, "summary"}, {CMD_EXPORT, "export"},
                 {CMD_PREDICT, "predict"}, {CMD_VERIFY, "verify"}, {CMD_LSP, "lsp"},
                 {CMD_FMT, "fmt"},         {CMD_COLLECT, "collect"}};
    if (commands == (CMD_SCHEDULE | CMD_PLOT)) {
        snprintf(out, size, "schedule' and 'lrc plot --schedule");
        return;
    }
    int count = 0, total = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        total += (commands & names[i].bit) != 0;
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof *names && used < size; i++) {
        if (!(commands & names[i].bit))
            continue;
        count++;
        const char *sep = count == 1 ? "" : count == total ? "' and 'lrc " : "', 'lrc ";
        int n = snprintf(out + used, size - used, "%s%s", sep, names[i].name);
        used += n > 0 ? (size_t)n : 0;
    }
}

/* plot: its figure, and either schedules with --steps or run directories. */
static LrStatus check_plot_options(const Options *o)
{
    char why[PATH_MAX + 100];
    if (!o->figure)
        return usage_error("%s", "plot needs -o FIGURE (a .png, .svg or .pdf file)");
    if (plot_check_suffix(o->figure, why, sizeof why) < 0)
        return usage_error("%s", why);
    if (o->schedules.count > 0) {
        if (o->inputs.count > 0 || o->metric)
            return usage_error("%s", "plot draws run directories or --schedule, not both");
        if (o->steps < 1)
            return usage_error("%s", "plot --schedule needs --steps N (N >= 1)");
        return status_of(LR_OK);
    }
    if (o->steps >= 0)
        return usage_error("%s", "--steps only applies to 'lrc plot --schedule'");
    if (o->inputs.count == 0)
        return usage_error("%s", "plot needs a run directory (or --schedule EXPR)");
    return status_of(LR_OK);
}

/* export: a model, something to write, a C name. */
static LrStatus check_export_options(const Options *o)
{
    if (!o->file)
        return usage_error("%s", "export needs a model: a model.safetensors or a run directory");
    if (!o->c_path && !o->onnx_path)
        return usage_error("%s", "export needs --c FILE.c or --onnx FILE.onnx (or both)");
    if (o->name && !o->c_path)
        return usage_error("%s", "--name names the C code: it needs --c FILE.c");
    if (o->name && !export_name_valid(o->name))
        return usage_error("--name needs a C identifier (a letter, then letters, digits or '_', "
                           "at most %d), not '%s'",
                           EXPORT_NAME_MAX, o->name);
    return status_of(LR_OK);
}

static LrStatus check_options(const Options *o, const bool *given)
{
    for (int i = 0; i < OPTION_COUNT; i++)
        if (given[i] && !(option_rows[i].commands & o->command))
        {
            char names[128];
            command_names(option_rows[i].commands, names, sizeof names);
            return usage_error("%s only applies to 'lrc %s'", option_rows[i].name, names);
        }
    if (o->command == CMD_PLOT)
        return check_plot_options(o);
    if (o->command == CMD_EXPORT)
        return check_export_options(o);
    if (o->command == CMD_LSP)
        return o->file ? usage_error("lsp takes no file: the editor sends the documents, "
                                     "not '%s'", o->file)
                       : status_of(LR_OK);
    if (o->command == CMD_FMT) {
        if (o->inputs.count == 0)
            return usage_error("%s", "fmt needs a file (FILE.lr..., or - for standard input)");
        for (int i = 0; i < o->inputs.count; i++)
            if (strcmp(o->inputs.items[i], "-") == 0 && o->inputs.count > 1)
                return usage_error("%s", "fmt reads standard input ('-') alone, not with files");
        return status_of(LR_OK);
    }
    if (o->command == CMD_PREDICT) {
        if (!o->file || !o->data)
            return usage_error("%s", "predict needs MODEL (a model.safetensors or a run "
                                     "directory) and DATA.csv");
        if (o->delimiter && strlen(o->delimiter) != 1)
            return usage_error("--delimiter needs one character, not '%s'", o->delimiter);
        return status_of(LR_OK);
    }
    if (o->command == CMD_VERIFY)
        return o->file ? status_of(LR_OK)
                       : usage_error("%s", "verify needs a run directory (one with run.json)");
    if (o->command == CMD_COLLECT)
        return o->file ? status_of(LR_OK)
                       : usage_error("%s", "collect needs a sweep's directory (one with "
                                           "sweep.json)");
    if (o->run_index >= 0 || o->slurm) {
        const char *name = o->slurm ? "--slurm" : "--run-index";
        if (dist_size() > 1)
            return usage_error("%s is not for a process of mpirun: under mpirun, lrc FILE.lr "
                               "--out DIR spreads the sweep's runs over the processes",
                               name);
        if (o->run_index >= 0 && o->slurm)
            return usage_error("%s", "--slurm submits every run of the sweep; --run-index runs "
                                     "one: give one of them");
        if (!o->out_dir)
            return usage_error("%s needs --out DIR: the directory the sweep's runs share",
                               name);
        if (o->resume_dir || o->halt_after)
            return usage_error("%s cannot be resumed or halted; resume a run of it with "
                               "--resume DIR/run-NNN",
                               name);
        if (o->jobs)
            return usage_error("%s", o->slurm ? "-j does not apply to --slurm: Slurm decides how "
                                                "many runs run at once"
                                              : "-j does not apply to --run-index: it runs one run");
    }
    if (o->slurm_opts.count > 0 && !o->slurm)
        return usage_error("%s", "--slurm-opt needs --slurm");
    if (o->slurm_opts.count > 0) {
        char why[256];
        if (slurm_check_opts(o->slurm_opts.items, o->slurm_opts.count, why, sizeof why) < 0)
            return usage_error("%s", why);
    }
    if (o->resume_dir) {
        if (o->command != CMD_RUN || o->file || o->out_dir || o->seed >= 0)
            return usage_error("%s", "--resume DIR takes no file, --out or --seed: the run's "
                                     "checkpoint names them");
        if (o->force)
            return usage_error("%s", "--force is for --out DIR: --resume continues the run "
                                     "that DIR holds");
        /* A --set would make another experiment, which the checkpoint
         * would refuse after a less helpful message. */
        if (o->sets.count > 0)
            return usage_error("--resume takes no --set: a resumed run is the run it was, "
                               "with the values its checkpoint holds; to train on from its "
                               "weights in a new run, write load \"%s/checkpoint.safetensors\" "
                               "in the experiment",
                               o->resume_dir);
        return status_of(LR_OK);
    }
    if (!o->file && o->command != CMD_PLOT) {
        if (o->command == CMD_SCHEDULE)
            return usage_error("%s", "schedule needs an expression, e.g. 'exp_decay(0.1, steps=100, rate=0.5)'");
        if (o->command == CMD_SUMMARY)
            return usage_error("%s", "summary needs an experiment file or a model (a "
                                     "model.safetensors or a run directory)");
        return usage_error("%s", "no experiment file given");
    }
    if (o->command == CMD_SCHEDULE && o->steps < 0)
        return usage_error("%s", "schedule needs --steps N");
    return status_of(LR_OK);
}

/* lrc [COMMAND] --complete-options, for the shell completion
 * (editors/bash/lrc): the options of COMMAND, one a line, from the table
 * that parses them. Not in --help: it is no user's option. */
#define COMPLETE_OPTIONS "--complete-options"

static LrStatus complete_options(Command command)
{
    for (int i = 0; i < OPTION_COUNT; i++) {
        const OptionRow *row = &option_rows[i];
        if (!(row->commands & command))
            continue;
        report_text(row->name);
        report_text("\n");
        if (row->alias) {
            report_text(row->alias);
            report_text("\n");
        }
    }
    return status_of(LR_OK);
}

/* Reads argv into o (whose lists have room for argc entries each).
 * Returns false when lrc is to stop at once with *stop: after --help,
 * --version or --complete-options (LR_OK), or a usage error (reported). */
static bool parse_options(int argc, char **argv, Options *o, LrStatus *stop)
{
    const char **sets = o->sets.items, **allow_read = o->allow_read.items,
               **allow_write = o->allow_write.items, **inputs = o->inputs.items,
               **schedules = o->schedules.items, **keep = o->keep.items,
               **slurm_opts = o->slurm_opts.items;
    memset(o, 0, sizeof *o);
    o->slurm_opts.items = slurm_opts;
    o->run_index = -1;
    o->sets.items = sets;
    o->allow_read.items = allow_read;
    o->allow_write.items = allow_write;
    o->inputs.items = inputs;
    o->schedules.items = schedules;
    o->keep.items = keep;
    o->command = CMD_RUN;
    o->seed = -1;
    o->steps = -1;
    o->checkpoint_every.seconds = LR_CHECKPOINT_DEFAULT_SECONDS;
    bool given[OPTION_COUNT] = {false};
    int first = 1;
    if (argc > 1 && (strcmp(argv[1], "check") == 0 || strcmp(argv[1], "schedule") == 0 ||
                     strcmp(argv[1], "plot") == 0 || strcmp(argv[1], "predict") == 0)) {
        o->command = argv[1][0] == 'c'              ? CMD_CHECK
                     : argv[1][0] == 's'            ? CMD_SCHEDULE
                     : strcmp(argv[1], "plot") == 0 ? CMD_PLOT
                                                    : CMD_PREDICT;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "summary") == 0) {
        o->command = CMD_SUMMARY;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "export") == 0) {
        o->command = CMD_EXPORT;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "verify") == 0) {
        o->command = CMD_VERIFY;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "lsp") == 0) {
        o->command = CMD_LSP;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "fmt") == 0) {
        o->command = CMD_FMT;
        first = 2;
    } else if (argc > 1 && strcmp(argv[1], "collect") == 0) {
        o->command = CMD_COLLECT;
        first = 2;
    }
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, COMPLETE_OPTIONS) == 0) {
            *stop = complete_options(o->command);
            return false;
        }
        const OptionRow *row = option_find(a);
        if (row && row->kind == OPTION_HELP) {
            report_text(help_text);
            *stop = status_of(LR_OK);
            return false;
        }
        if (row && row->kind == OPTION_VERSION) {
            report_version(LRC_VERSION, blas_vendor());
            *stop = status_of(LR_OK);
            return false;
        }
        if (row) {
            bool used;
            *stop = option_apply(row, i + 1 < argc ? argv[i + 1] : NULL, o, &used);
            if (!status_ok(*stop))
                return false;
            given[row - option_rows] = true;
            i += used;
        } else if (a[0] == '-' && a[1] != '\0' && !(o->command == CMD_SCHEDULE && !o->file)) {
            /* (a schedule's expression may start with '-') */
            *stop = unknown_option(a);
            return false;
        } else if (o->command == CMD_PLOT || o->command == CMD_FMT) {
            o->inputs.items[o->inputs.count++] = a;
        } else if (!o->file) {
            o->file = a;
        } else if (o->command == CMD_PREDICT && !o->data) {
            o->data = a;
        } else {
            *stop = usage_error("unexpected argument '%s'", a);
            return false;
        }
    }
    *stop = check_options(o, given);
    return status_ok(*stop);
}

/* The one place an outcome becomes an exit status: 0 success, 1 a run
 * that failed, 2 a usage, language or input error (nothing ran), 128 + N
 * interrupted by signal N. */
static int exit_code(LrStatus status)
{
    switch (status.outcome) {
    case LR_OK:
        return 0;
    case LR_RUN_FAILED:
        return 1;
    case LR_LANGUAGE_ERROR:
        return 2;
    case LR_INTERRUPTED:
        return 128 + status.signal;
    }
    return 1;
}

/* Parses and checks a schedule given on the command line into *out,
 * whose lists (piecewise's) live in arena. */
static LrStatus schedule_from_text(const char *text, LrArena *arena, LrScheduleSpec *out)
{
    LrSource src;
    if (source_from_string(&src, "<expr>", text) < 0) {
        diag_plain("out of memory");
        return status_of(LR_RUN_FAILED);
    }
    LrDiag diag;
    diag_init(&diag, stderr);
    LrProgram prog;
    LrStatus status = status_of(LR_LANGUAGE_ERROR);
    bool checked = parse_expression(&src, arena, &diag, &prog) == 0 &&
                   check_schedule(&prog, arena, &diag, out) == 0;
    if (checked && out->epochs > 0) {
        diag_error(&diag, &src, out->span,
                   "lrc schedule counts steps, not epochs: give the schedule steps=");
        checked = false;
    }
    if (checked)
        status = status_of(LR_OK);
    source_free(&src);
    return status;
}

static LrStatus run_schedule(const Options *o)
{
    LrScheduleSpec sched;
    LrArena arena = {0};
    LrStatus status = schedule_from_text(o->file, &arena, &sched);
    if (status_ok(status)) {
        report_schedule_header();
        for (long long s = 0; s < o->steps; s++)
            report_schedule_row(s, schedule_lr(&sched, s));
    }
    arena_free(&arena);
    return status;
}

/* `lrc plot`: run directories' learning curves, or schedules. */
static LrStatus run_plot(const Options *o)
{
    if (o->schedules.count == 0)
        return plot_curves(o->inputs.items, o->inputs.count, o->metric, o->figure);
    LrScheduleSpec *schedules = calloc((size_t)o->schedules.count, sizeof *schedules);
    if (!schedules) {
        diag_plain("out of memory");
        return status_of(LR_RUN_FAILED);
    }
    LrArena arena = {0};
    LrStatus status = status_of(LR_OK);
    for (int i = 0; status_ok(status) && i < o->schedules.count; i++)
        status = schedule_from_text(o->schedules.items[i], &arena, &schedules[i]);
    if (status_ok(status))
        status = plot_schedules(schedules, o->schedules.items, o->schedules.count, o->steps,
                                o->figure);
    arena_free(&arena);
    free(schedules);
    return status;
}

/* `lrc export MODEL --c FILE.c --onnx FILE.onnx` */
static LrStatus run_export(const Options *o)
{
    LrExportOptions options = {o->c_path, o->onnx_path, o->name ? o->name : "model", o->force};
    return export_model(o->file, &options);
}

/* `lrc fmt`'s outcome for one file, worst last: the exit status is the
 * worst of all files'. */
typedef enum FmtOutcome { FMT_SAME, FMT_CHANGED, FMT_WRITE_FAILED, FMT_BAD_INPUT } FmtOutcome;

/* Replaces path (through a symlink: its target) with the length bytes of
 * text, atomically, with the mode it had. */
static FmtOutcome fmt_write(const char *path, const char *text, size_t length)
{
    char real[PATH_MAX], why[PATH_MAX + 512];
    struct stat st;
    if (!realpath(path, real) || stat(real, &st) != 0) {
        diag_plain("cannot write '%s': %s", path, strerror(errno));
        return FMT_WRITE_FAILED;
    }
    /* The rename would replace a file that may not be written. */
    if (access(real, W_OK) != 0) {
        diag_plain("cannot write '%s': %s", path, strerror(errno));
        return FMT_WRITE_FAILED;
    }
    LrFileStream out;
    if (file_stream_open(&out, real, why, sizeof why) < 0) {
        diag_plain("%s", why);
        return FMT_WRITE_FAILED;
    }
    if (fchmod(out.fd, st.st_mode & 07777) != 0) {
        diag_plain("cannot write '%s': %s", path, strerror(errno));
        file_stream_abort(&out);
        return FMT_WRITE_FAILED;
    }
    if (file_stream_write(&out, text, length, why, sizeof why) < 0 ||
        file_stream_commit(&out, why, sizeof why) < 0) {
        diag_plain("%s", why);
        return FMT_WRITE_FAILED;
    }
    return FMT_CHANGED;
}

/* One file of `lrc fmt`: formatted, and rewritten (or, with --check,
 * named on stdout) when that changes it; '-' to stdout. */
static FmtOutcome fmt_file(const char *path, bool check_only)
{
    bool is_stdin = strcmp(path, "-") == 0;
    char why[PATH_MAX + 512];
    size_t size = 0;
    LrSource stdin_src = {0};
    char *text;
    if (is_stdin) {
        text = source_read(&stdin_src, "-", why, sizeof why) == 0 ? stdin_src.text : NULL;
        size = stdin_src.length;
        if (!text)
            diag_plain("cannot read standard input: %s", why);
    } else {
        text = file_read_all(path, LR_SOURCE_MAX_BYTES, &size, why, sizeof why);
        if (!text)
            diag_plain("%s", why);
    }
    if (!text)
        return FMT_BAD_INPUT;
    LrDiag diag;
    diag_init(&diag, stderr);
    LrBuffer formatted = {0};
    FmtOutcome outcome = FMT_SAME;
    if (fmt_text(is_stdin ? "<stdin>" : path, text, size, &formatted, &diag) < 0) {
        outcome = FMT_BAD_INPUT;
    } else if (formatted.length != size || (size > 0 && memcmp(formatted.data, text, size) != 0)) {
        outcome = FMT_CHANGED;
        if (check_only) {
            LrBuffer line = {0};
            buffer_printf(&line, "%s\n", is_stdin ? "<stdin>" : path);
            if (line.data)
                report_text(line.data);
            buffer_free(&line);
        } else if (!is_stdin) {
            outcome = fmt_write(path, formatted.data ? formatted.data : "", formatted.length);
        }
    }
    if (is_stdin && !check_only && outcome != FMT_BAD_INPUT && formatted.length)
        report_rows(formatted.data, formatted.length);
    buffer_free(&formatted);
    if (is_stdin)
        source_free(&stdin_src);
    else
        free(text);
    return outcome;
}

/* `lrc fmt [--check] FILE...`: every file is tried; exit 2 if one did not
 * read or parse, else 1 if one could not be written or (--check) would
 * change, else 0. */
static LrStatus run_fmt(const Options *o)
{
    FmtOutcome worst = FMT_SAME;
    for (int i = 0; i < o->inputs.count; i++) {
        FmtOutcome outcome = fmt_file(o->inputs.items[i], o->fmt_check);
        if (outcome > worst)
            worst = outcome;
    }
    if (worst == FMT_BAD_INPUT)
        return status_of(LR_LANGUAGE_ERROR);
    if (worst == FMT_WRITE_FAILED || (worst == FMT_CHANGED && o->fmt_check))
        return status_of(LR_RUN_FAILED);
    return status_of(LR_OK);
}

/* The directories of a colon-separated path (empty ones skipped) into
 * list, their text copied to *buf, which is left past them; their count. */
static int split_path(const char *env, const char **list, char **buf)
{
    int n = 0;
    while (*env) {
        const char *colon = strchr(env, ':');
        size_t len = colon ? (size_t)(colon - env) : strlen(env);
        if (len > 0) {
            memcpy(*buf, env, len);
            (*buf)[len] = '\0';
            list[n++] = *buf;
            *buf += len + 1;
        }
        env = colon ? colon + 1 : "";
    }
    return n;
}

/* Where `use name` looks: each directory of LRC_PATH (colon-separated),
 * then the stdlib found from the binary's own location: beside it (a build
 * tree), then PREFIX/share/lrc/stdlib for PREFIX/bin/lrc (an installed
 * one), so that any PREFIX works without compiling it in. Returns the
 * count, or -1 when out of memory; *dirs and its strings are one
 * allocation. */
static int module_path(const char ***dirs)
{
    const char *env = getenv("LRC_PATH");
    if (!env)
        env = "";
    size_t count = 3; /* LRC_PATH's last entry and the two stdlibs */
    for (const char *p = env; *p; p++)
        count += *p == ':';
    char exe[PATH_MAX];
    char *slash = realpath("/proc/self/exe", exe) ? strrchr(exe, '/') : NULL;
    if (slash)
        *slash = '\0'; /* exe: the binary's directory */
    /* Both stdlibs are at most the binary's directory and a suffix long. */
    size_t text = strlen(env) + 1 +
                  (slash ? 2 * strlen(exe) + sizeof "/stdlib" + sizeof "/share/lrc/stdlib" : 0);
    const char **list = malloc(count * sizeof *list + text);
    if (!list)
        return -1;
    char *buf = (char *)(list + count);
    int n = split_path(env, list, &buf);
    if (slash) {
        const char *parent = strrchr(exe, '/'); /* PREFIX of PREFIX/bin */
        int parent_len = parent ? (int)(parent - exe) : 0;
        list[n++] = buf;
        buf += sprintf(buf, "%s/stdlib", exe) + 1;
        list[n++] = buf;
        sprintf(buf, "%.*s/share/lrc/stdlib", parent_len, exe);
    }
    *dirs = list;
    return n;
}

/* Where data files are looked for after the experiment's directory: each
 * directory of LRC_DATA_PATH (colon-separated; unset: DATA_PATH_DEFAULT,
 * where Debian's dataset-* packages install; empty: nowhere). Returns the
 * count, or -1 when out of memory; *dirs and its strings are one
 * allocation. */
#define DATA_PATH_DEFAULT "/usr/share/datasets"
static int data_path(const char ***dirs)
{
    const char *env = getenv("LRC_DATA_PATH");
    if (!env)
        env = DATA_PATH_DEFAULT;
    size_t count = 1;
    for (const char *p = env; *p; p++)
        count += *p == ':';
    const char **list = malloc(count * sizeof *list + strlen(env) + 1);
    if (!list)
        return -1;
    char *buf = (char *)(list + count);
    int n = split_path(env, list, &buf);
    *dirs = list;
    return n;
}

/* What the file may touch (sandbox.h): below its own directory, the
 * module path and the data path for reading; the run directory, or the file's own directory
 * without one, for writing (never the current directory: a downloaded
 * file run from $HOME must not reach $HOME); plus what
 * --allow-read/--allow-write add. Returns -1 when out of memory. */
static int build_sandbox(LrSandbox *box, const Options *o, const char *file,
                         bool from_stream, const char *const *dirs, int dir_count,
                         const char *const *data_dirs, int data_dir_count)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(file, '/');
    if (slash && !from_stream)
        snprintf(dir, sizeof dir, "%.*s", slash == file ? 1 : (int)(slash - file), file);
    else
        snprintf(dir, sizeof dir, ".");
    int failed = sandbox_allow_read(box, dir, false);
    for (int i = 0; i < dir_count; i++)
        failed |= sandbox_allow_read(box, dirs[i], false);
    for (int i = 0; i < data_dir_count; i++)
        failed |= sandbox_allow_read(box, data_dirs[i], false);
    for (int i = 0; i < o->allow_read.count; i++)
        failed |= sandbox_allow_read(box, o->allow_read.items[i], true);
    const char *out = o->resume_dir ? o->resume_dir : o->out_dir;
    failed |= sandbox_allow_write(box, out ? out : dir, out != NULL);
    if (out)
        failed |= sandbox_set_run_dir(box, out);
    box->write_place = out ? "the run directory (--out)" : "the experiment's directory";
    for (int i = 0; i < o->allow_write.count; i++)
        failed |= sandbox_allow_write(box, o->allow_write.items[i], true);
    if (dist_size() > 1) {
        /* An MPI rank shares memory with its peers through files in
         * /dev/shm (OpenMPI's vader segments), removed at the end; its
         * messages come from OpenMPI's help files. */
        failed |= sandbox_allow_write(box, "/dev/shm", false);
        failed |= sandbox_allow_read(box, "/usr/share/openmpi", false);
    }
    return failed ? -1 : 0;
}

/* Whether the experiment comes from a stream (standard input, a pipe, a
 * terminal) rather than a file in a directory: then its directory is the
 * current one, not that of a name such as /dev/stdin or /dev/fd/63, which
 * may stand for a regular file redirected into lrc. */
static bool is_stream(const char *file)
{
    struct stat st;
    if (strcmp(file, "-") == 0 || (stat(file, &st) == 0 && !S_ISREG(st.st_mode)))
        return true;
    char dir[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(file, '/');
    if (!slash)
        return false;
    snprintf(dir, sizeof dir, "%.*s", slash == file ? 1 : (int)(slash - file), file);
    return realpath(dir, real) && sandbox_system_path(real);
}

/* For the test suite only: blocks between the check and the run until the
 * fifo named by LRC_TEST_PAUSE_FIFO is written to and closed, so that a
 * test can swap a checked path for a symlink (the kernel must refuse it). */
static void test_pause(void)
{
    const char *fifo = getenv("LRC_TEST_PAUSE_FIFO");
    FILE *f = fifo && *fifo ? fopen(fifo, "r") : NULL;
    if (!f)
        return;
    while (fgetc(f) != EOF)
        ;
    fclose(f);
}

/* Whether the file reads or writes any file at run time: only then is a
 * kernel without Landlock worth a note. */
static bool touches_files(const LrSpec *spec)
{
    for (int i = 0; i < spec->dataset_count; i++)
        if (spec->datasets[i].kind == DATA_CSV || spec->datasets[i].kind == DATA_IDX)
            return true;
    return spec->save_path || spec->load_path;
}

/* Once the file is checked: the kernel holds the run to what the checks
 * allowed (sandbox.h). The run directory must exist to be allowed. */
static LrStatus confine(const LrSandbox *box, const Options *o, const LrSpec *spec)
{
    char why[PATH_MAX + 512];
    const char *run_dir = o->resume_dir ? o->resume_dir : o->out_dir;
    if (run_dir && file_make_dirs(run_dir, why, sizeof why) < 0) {
        diag_plain("%s", why);
        return status_of(LR_RUN_FAILED);
    }
    int enforced = sandbox_enforce(box, why, sizeof why);
    if (enforced < 0) {
        diag_plain("%s", why);
        return status_of(LR_RUN_FAILED);
    }
    if (enforced == 0 && !o->quiet && touches_files(spec))
        diag_info("note: this kernel has no Landlock; only lrc's own path checks confine the "
                  "file");
    return status_of(LR_OK);
}

/* What lrc writes in a run directory: the first three mark one that holds
 * a run (or a sweep), which --out refuses to write over piecemeal; --force
 * removes them all first, and the traces, and nothing else. */
static const char *const run_files[] = {"run.json",    "checkpoint.safetensors", "sweep.csv",
                                        "sweep.json",  "metrics.csv", "model.safetensors",
                                        "split.csv"};
enum { RUN_MARKS = 4 };

/* --out DIR for a new run: refused when DIR holds one, unless --force. */
static LrStatus claim_run_dir(const Options *o)
{
    if (!o->out_dir || o->resume_dir)
        return status_of(LR_OK);
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof run_files / sizeof *run_files; i++) {
        snprintf(path, sizeof path, "%s/%s", o->out_dir, run_files[i]);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (!o->force) {
            if (i >= RUN_MARKS)
                continue;
            if (strncmp(run_files[i], "sweep.", 6) == 0)
                diag_plain("'%s' already holds a sweep (%s): continue an interrupted "
                           "run of it with --resume %s/run-NNN, or replace it with --force",
                           o->out_dir, run_files[i], o->out_dir);
            else
                diag_plain("'%s' already holds a run (%s): continue it with --resume %s, or "
                           "replace it with --force",
                           o->out_dir, run_files[i], o->out_dir);
            return status_of(LR_LANGUAGE_ERROR);
        }
        if (unlink(path) != 0) {
            diag_plain("cannot remove '%s': %s", path, strerror(errno));
            return status_of(LR_RUN_FAILED);
        }
    }
    /* and the traces of minimize statements and evaluate's confusion
     * matrices (run.h) */
    for (int i = 1; o->force && i <= SPEC_MAX_MINIMIZES + SPEC_MAX_EVALUATES; i++) {
        if (i <= SPEC_MAX_MINIMIZES)
            snprintf(path, sizeof path, "%s/trace-%d.csv", o->out_dir, i);
        else
            snprintf(path, sizeof path, "%s/confusion-%d.csv", o->out_dir, i - SPEC_MAX_MINIMIZES);
        if (unlink(path) != 0 && errno != ENOENT) {
            diag_plain("cannot remove '%s': %s", path, strerror(errno));
            return status_of(LR_RUN_FAILED);
        }
    }
    return status_of(LR_OK);
}

/* Each run of a sweep may write only in its own run directory and what
 * --allow-write adds (build_sandbox, in the run), so a `save` must lie in
 * the latter: said once here, at the save, rather than by every run. */
static int check_sweep_save(const Options *o, const LrSpec *spec, const LrSource *src,
                            LrDiag *diag)
{
    LrSandbox runs = {0};
    int failed = 0;
    for (int i = 0; i < o->allow_write.count; i++)
        failed |= sandbox_allow_write(&runs, o->allow_write.items[i], true);
    runs.write_place = "the run directory of each run of the sweep";
    char why[2 * PATH_MAX + 200];
    int status = 0;
    if (failed) {
        diag_plain("out of memory");
        status = -1;
    } else if (sandbox_check_write(&runs, spec->save_path, why, sizeof why) < 0) {
        diag_error(diag, src, spec->save_span, "%s", why);
        status = -1;
    }
    sandbox_free(&runs);
    return status;
}

/* The options each run of a sweep gets that are not the sweep's own, into
 * args (room for 2 per --set, --allow-read and --allow-write, and 8 more,
 * NULL-terminated; seed and threads hold their numbers): each --set (a
 * swept name's only when keep_swept: a child started with --set NAME=VALUE
 * must not get the sweep back), --allow-read and --allow-write,
 * --checkpoint-every, --force, --seed and --threads (given, or 1 when
 * runs share the cores: -j above 1). */
static void sweep_child_args(const Options *o, const LrSpec *spec, bool keep_swept,
                             const char **args, char seed[32], char threads[32])
{
    int n = 0;
    for (int i = 0; i < o->sets.count; i++) {
        bool swept = false;
        size_t len = strcspn(o->sets.items[i], "=");
        for (int a = 0; a < spec->sweep_count && !swept && !keep_swept; a++)
            swept = strlen(spec->sweeps[a].name) == len &&
                    memcmp(spec->sweeps[a].name, o->sets.items[i], len) == 0;
        if (!swept) {
            args[n++] = "--set";
            args[n++] = o->sets.items[i];
        }
    }
    for (int i = 0; i < o->allow_read.count; i++) {
        args[n++] = "--allow-read";
        args[n++] = o->allow_read.items[i];
    }
    for (int i = 0; i < o->allow_write.count; i++) {
        args[n++] = "--allow-write";
        args[n++] = o->allow_write.items[i];
    }
    if (o->force)
        args[n++] = "--force";
    if (o->checkpoint_text) {
        args[n++] = "--checkpoint-every";
        args[n++] = o->checkpoint_text;
    }
    if (o->seed >= 0) {
        snprintf(seed, 32, "%lld", o->seed);
        args[n++] = "--seed";
        args[n++] = seed;
    }
    if (o->threads > 0 || o->jobs > 1) {
        snprintf(threads, 32, "%lld", o->threads > 0 ? o->threads : 1LL);
        args[n++] = "--threads";
        args[n++] = threads;
    }
    args[n] = NULL;
}

static const char **sweep_args_alloc(const Options *o)
{
    size_t pairs = (size_t)o->sets.count + (size_t)o->allow_read.count +
                   (size_t)o->allow_write.count + 4;
    const char **args = malloc((2 * pairs + 2) * sizeof *args);
    if (!args)
        diag_plain("out of memory");
    return args;
}

/* The sweep's axes, from the checked file; returns the run count, or -1
 * (said). */
static int sweep_axes(const LrSpec *spec, LrSweepAxis *axes)
{
    for (int i = 0; i < spec->sweep_count; i++)
        axes[i] = (LrSweepAxis){spec->sweeps[i].name, spec->sweeps[i].count,
                                spec->sweeps[i].values};
    return sweep_run_count(axes, spec->sweep_count);
}

/* The sweep: this binary runs once per combination (sweep.c), or for
 * --run-index the one run. */
static LrStatus run_sweep(const Options *o, const LrSpec *spec, const LrSandbox *box)
{
    char exe[PATH_MAX];
    if (!realpath("/proc/self/exe", exe)) {
        diag_plain("cannot find the lrc binary to run the sweep");
        return status_of(LR_RUN_FAILED);
    }
    LrSweepAxis axes[SPEC_MAX_SWEEPS];
    int runs = sweep_axes(spec, axes);
    if (runs < 0)
        return status_of(LR_LANGUAGE_ERROR);
    if (o->run_index >= runs) {
        diag_plain("--run-index %lld is out of range: the sweep has %d run%s (indexes 0 to %d)",
                   o->run_index, runs, runs == 1 ? "" : "s", runs - 1);
        return status_of(LR_LANGUAGE_ERROR);
    }
    const char **extra = sweep_args_alloc(o);
    if (!extra)
        return status_of(LR_RUN_FAILED);
    char seed[32], threads[32];
    sweep_child_args(o, spec, false, extra, seed, threads);
    LrSweepOptions options = {.exe = exe,
                              .file = o->file,
                              .extra = extra,
                              .jobs = o->jobs > 0 ? (int)o->jobs : 1,
                              .out_dir = o->out_dir,
                              .sandbox = box,
                              .quiet = o->quiet,
                              .only_run = (int)o->run_index,
                              .force = o->force,
                              .rank = dist_rank(),
                              .ranks = dist_size()};
    /* Under mpirun every rank tells of its own runs, marked with its rank;
     * the table is rank 0's. */
    dist_speak();
    LrStatus status = sweep_run(axes, spec->sweep_count, &options);
    dist_quiet();
    free(extra);
    return status;
}

/* --slurm: the sweep's record and batch script in --out DIR, submitted;
 * nothing is trained here. The tasks get absolute paths (they may start
 * elsewhere) and the options given here but --slurm's own. */
static LrStatus run_slurm(const Options *o, const LrSpec *spec)
{
    LrSweepAxis axes[SPEC_MAX_SWEEPS];
    int runs = sweep_axes(spec, axes);
    if (runs < 0)
        return status_of(LR_LANGUAGE_ERROR);
    LrStatus status = claim_run_dir(o);
    if (!status_ok(status))
        return status;
    char why[PATH_MAX + 128], exe[PATH_MAX], file[PATH_MAX], dir[PATH_MAX];
    if (file_make_dirs(o->out_dir, why, sizeof why) < 0) {
        diag_plain("%s", why);
        return status_of(LR_RUN_FAILED);
    }
    if (!realpath("/proc/self/exe", exe) || !realpath(o->file, file) ||
        !realpath(o->out_dir, dir)) {
        diag_plain("cannot find the absolute paths of lrc, '%s' and '%s': %s", o->file,
                   o->out_dir, strerror(errno));
        return status_of(LR_RUN_FAILED);
    }
    if (sweep_record(axes, spec->sweep_count, file, dir, true) < 0)
        return status_of(LR_RUN_FAILED);
    const char **args = sweep_args_alloc(o);
    if (!args)
        return status_of(LR_RUN_FAILED);
    char seed[32], threads[32];
    sweep_child_args(o, spec, true, args, seed, threads);
    if (o->quiet) {
        int n = 0;
        while (args[n])
            n++;
        args[n++] = "--quiet";
        args[n] = NULL;
    }
    LrSlurmOptions slurm = {exe,  file, dir, args, o->slurm_opts.items, o->slurm_opts.count,
                            runs};
    status = slurm_submit(&slurm);
    /* Nothing was submitted: the directory holds no sweep yet, so that the
     * same command can be given again without --force. */
    if (status.outcome == LR_LANGUAGE_ERROR) {
        char record[PATH_MAX + sizeof SWEEP_RECORD_FILE + 1];
        snprintf(record, sizeof record, "%s/%s", dir, SWEEP_RECORD_FILE);
        unlink(record);
    }
    free(args);
    return status;
}

/* What --resume takes from the run's checkpoint: the file, the seed when
 * --seed set it, and the --set values. */
typedef struct Resumed {
    Options options;      /* the given ones, completed */
    char file[4096];
    char *recorded_sets;  /* the recorded values, one block */
    const char **sets;    /* each of them */
} Resumed;

static LrStatus resume_setup(const Options *given, Resumed *r)
{
    r->options = *given;
    r->recorded_sets = NULL;
    r->sets = NULL;
    char why[512];
    bool has_seed = false;
    uint64_t seed = 0;
    int recorded = 0;
    /* A sweep is continued run by run: say so rather than miss a checkpoint. */
    char sweep_csv[PATH_MAX];
    struct stat st;
    snprintf(sweep_csv, sizeof sweep_csv, "%s/sweep.csv", given->resume_dir);
    if (stat(sweep_csv, &st) == 0) {
        diag_plain("cannot resume: '%s' holds a sweep; continue an interrupted run of it with "
                   "--resume %s/run-NNN",
                   given->resume_dir, given->resume_dir);
        return status_of(LR_LANGUAGE_ERROR);
    }
    if (checkpoint_source(given->resume_dir, r->file, sizeof r->file, &has_seed, &seed,
                          &r->recorded_sets, &recorded, why, sizeof why) < 0) {
        diag_plain("cannot resume: %s", why);
        return status_of(LR_RUN_FAILED);
    }
    r->options.file = r->file;
    r->options.seed = has_seed ? (long long)seed : -1;
    r->sets = malloc(((size_t)recorded + 1) * sizeof *r->sets);
    if (!r->sets) {
        diag_plain("out of memory");
        return status_of(LR_RUN_FAILED);
    }
    r->options.sets.items = r->sets;
    r->options.sets.count = 0;
    const char *value = r->recorded_sets;
    for (int i = 0; i < recorded; i++, value += strlen(value) + 1)
        r->options.sets.items[r->options.sets.count++] = value;
    return status_of(LR_OK);
}

static void resume_free(Resumed *r)
{
    free(r->recorded_sets);
    free(r->sets);
}

/* A checked experiment and what it was checked with. */
typedef struct Checked {
    LrSource src;
    LrDiag diag;
    LrArena arena;
    LrSpec spec;
    LrSandbox sandbox;
    const char **module_dirs;
    const char **data_dirs;
    bool from_stream;
} Checked;

/* Reads, parses and checks o->file into c (which checked_free releases
 * whatever the outcome), with the seed --seed or the checkpoint gives. */
static LrStatus check_file(const Options *o, Checked *c)
{
    memset(c, 0, sizeof *c);
    diag_init(&c->diag, stderr);
    char why[512];
    if (source_read(&c->src, o->file, why, sizeof why) < 0) {
        diag_plain("cannot read '%s': %s", o->file, why);
        return status_of(LR_LANGUAGE_ERROR);
    }
    int dir_count = module_path(&c->module_dirs);
    int data_count = data_path(&c->data_dirs);
    c->from_stream = is_stream(o->file);
    if (dir_count < 0 || data_count < 0 ||
        build_sandbox(&c->sandbox, o, o->file, c->from_stream, c->module_dirs, dir_count,
                      c->data_dirs, data_count) < 0) {
        diag_plain("out of memory");
        return status_of(LR_RUN_FAILED);
    }
    LrCheckOptions check = {c->module_dirs, dir_count,      o->sets.items,
                            o->sets.count,  &c->sandbox,    c->from_stream, NULL, NULL,
                            c->data_dirs,   data_count};
    LrProgram prog;
    /* Every error of the file, in source order: the statements that parsed
     * are checked even when others did not. */
    diag_hold(&c->diag);
    int parsed = parse_program(&c->src, &c->arena, &c->diag, &prog);
    int checked = parsed == 0 || prog.first
                      ? check_program_with(&prog, &c->src, &check, &c->arena, &c->diag, &c->spec)
                      : -1;
    /* With errors, the data sets that checked are still read, so that
     * their errors come out with the others, in the file's order. */
    if ((parsed < 0 || checked < 0) && (parsed == 0 || prog.first))
        run_check_data(&c->spec, &c->src, &c->diag);
    diag_release(&c->diag);
    if (parsed < 0 || checked < 0)
        return status_of(LR_LANGUAGE_ERROR);
    if (c->spec.sweep_count > 0 && c->spec.save_path &&
        check_sweep_save(o, &c->spec, &c->src, &c->diag) < 0)
        return status_of(LR_LANGUAGE_ERROR);
    if (o->seed >= 0) {
        c->spec.seed = (uint64_t)o->seed;
        c->spec.has_seed = true;
        c->spec.seed_overridden = true;
    }
    return status_of(LR_OK);
}

static void checked_free(Checked *c)
{
    arena_free(&c->arena);
    source_free(&c->src);
    free(c->module_dirs);
    free(c->data_dirs);
    sandbox_free(&c->sandbox);
}

/* `lrc check`: what the run would find before training, without running
 * (run_check_inputs). Then --explain. */
static LrStatus check_only(const Options *o, Checked *c)
{
    const LrSpec *spec = &c->spec;
    LrStatus status = run_check_inputs(spec, &c->src, &c->diag);
    if (status_ok(status) && o->explain) {
        LrBuffer text = {0};
        explain_spec(spec, &text);
        /* The model's summary as comments: the text stays the experiment
         * run.json records, and still a file lrc reads. */
        LrModelDesc model;
        if (spec->has_model && spec->has_train &&
            status_ok(status = summary_of_spec(spec, &c->src, &c->diag, &c->arena, &model)))
            summary_write(&model, "# ", &text);
        if (text.data)
            report_text(text.data);
        buffer_free(&text);
    }
    return status;
}

/* The summary of the saved model at path (a .safetensors file, or a run
 * directory's), read and checked whole as predict reads it, on stdout.
 * Returns 0; -1 when it does not open or is not described (why says
 * why); -2 when out of memory. */
static int print_model_summary(const char *path, char *why, size_t why_size)
{
    LrModel m;
    int status = 0;
    if (model_open(&m, path, 1, why, why_size) != 0) {
        status = -1;
    } else {
        LrBuffer text = {0};
        buffer_printf(&text, "Model: %s (lrc %s, experiment %s)\n", m.path, m.desc.version,
                      m.desc.experiment_sha256[0] ? m.desc.experiment_sha256 : "unknown");
        summary_write(&m.desc, "", &text);
        if (text.failed) {
            snprintf(why, why_size, "out of memory");
            status = -2;
        } else {
            report_text(text.data);
        }
        buffer_free(&text);
    }
    model_close(&m);
    return status;
}

/* `lrc summary FILE.lr`: the model the file describes, from its text and
 * the training set's header, without training; an inference file's, the
 * model it loads. */
static LrStatus summary_file(Checked *c)
{
    if (c->spec.sweep_count > 0) {
        diag_plain("'%s' is a sweep, whose runs may have models of their own: choose one with "
                   "--set %s=VALUE",
                   c->src.name, c->spec.sweeps[0].name);
        return status_of(LR_LANGUAGE_ERROR);
    }
    if (c->spec.load_path && !c->spec.has_train && !c->spec.has_model) {
        char why[PATH_MAX + 512];
        int printed = print_model_summary(c->spec.load_path, why, sizeof why);
        if (printed < 0)
            diag_error(&c->diag, &c->src, c->spec.load_span, "%s", why);
        return status_of(printed == 0 ? LR_OK : printed == -1 ? LR_LANGUAGE_ERROR : LR_RUN_FAILED);
    }
    LrModelDesc model;
    LrStatus status = summary_of_spec(&c->spec, &c->src, &c->diag, &c->arena, &model);
    if (status_ok(status)) {
        LrBuffer text = {0};
        summary_write(&model, "", &text);
        if (text.failed) {
            diag_plain("out of memory");
            status = status_of(LR_RUN_FAILED);
        } else {
            report_text(text.data);
        }
        buffer_free(&text);
    }
    return status;
}

/* `lrc summary MODEL`: a saved model. Anything else is taken for an
 * experiment file. */
static bool is_model_path(const char *path)
{
    struct stat st;
    size_t n = strlen(path);
    return (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) ||
           (n >= 12 && strcmp(path + n - 12, ".safetensors") == 0);
}

static LrStatus summary_model(const Options *o)
{
    char why[PATH_MAX + 512];
    int printed = print_model_summary(o->file, why, sizeof why);
    if (printed < 0)
        diag_plain("%s", why);
    return status_of(printed == 0 ? LR_OK : printed == -1 ? LR_LANGUAGE_ERROR : LR_RUN_FAILED);
}

/* Without --threads: one per core, shared among the ranks mpirun started
 * on this machine (threads beyond the cores only take turns). */
static long default_threads(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long each = (cores >= 1 ? cores : 1) / (dist_size() > 1 ? dist_local_size() : 1);
    return each >= 1 ? each : 1;
}

/* The threads of BLAS and lrc's pool: --threads, or one per core. More
 * threads than cores only take turns (and the pool's idle ones poll): the
 * pool is capped at the cores, like OpenBLAS's. Returns what run.json
 * records. */
static int thread_count(const Options *o)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long threads = o->threads > 0 ? (long)o->threads : default_threads();
    pool_set_threads((int)(cores >= 1 && cores < threads ? cores : threads));
    return (int)threads;
}

/* A checked experiment's run: the sweep, or training and minimize. */
static LrStatus run_checked(const Options *o, Checked *c)
{
    const LrSpec *spec = &c->spec;
    if (spec->sweep_count == 0 && (o->run_index >= 0 || o->slurm)) {
        diag_plain("%s runs the runs of a sweep, and '%s' has none (no let NAME = sweep(...) "
                   "or --set NAME=sweep(...))",
                   o->slurm ? "--slurm" : "--run-index", o->file);
        return status_of(LR_LANGUAGE_ERROR);
    }
    if (spec->sweep_count > 0) {
        if (c->from_stream) {
            diag_plain("a sweep reads its file once per run, so it cannot come from standard "
                       "input or a pipe");
            return status_of(LR_LANGUAGE_ERROR);
        }
        if (o->resume_dir || o->halt_after) {
            diag_plain("a sweep cannot be resumed or halted as a whole; resume its runs one by "
                       "one");
            return status_of(LR_LANGUAGE_ERROR);
        }
        if (o->slurm)
            return run_slurm(o, spec);
        /* Rank 0 reads every rank's runs from DIR. */
        if (dist_size() > 1 && !o->out_dir) {
            diag_plain("a sweep under mpirun needs --out DIR, a directory that every process "
                       "reaches: each runs its share of the runs into it, and the first reads "
                       "them all for the table");
            return status_of(LR_LANGUAGE_ERROR);
        }
        /* --run-index shares DIR with the sweep's other runs: only its
         * own run directory is claimed (by the run). Under mpirun rank 0
         * claims it for all, then every rank goes on, or none. */
        LrStatus claimed = o->run_index < 0 && dist_rank() == 0 ? claim_run_dir(o)
                                                                 : status_of(LR_OK);
        if (!status_ok(claimed = dist_agree(claimed)))
            return claimed;
        test_pause();
        return run_sweep(o, spec, &c->sandbox);
    }
    LrStatus status = status_of(LR_OK);
    if (spec->has_train && !status_ok(status = plan_check_size(spec, &c->src, &c->diag)))
        return status;
    if (!status_ok(status = model_check_load(spec, &c->src, &c->diag)))
        return status;
    if (!status_ok(status = predict_check_columns(spec, &c->src, &c->diag)))
        return status;
    /* Rank 0 writes the run directory, so it alone claims it; then every
     * rank goes on, or none. */
    if (dist_rank() == 0)
        status = claim_run_dir(o);
    if (!status_ok(status = dist_agree(status)))
        return status;
    int threads = thread_count(o);
    test_pause();
    LrPlotHelper helper, *plots = NULL;
    char why[512];
    for (int i = 0; i < spec->minimize_count && !plots; i++)
        if (spec->minimizes[i].plot_path) {
            if (plot_helper_start(&helper, spec, why, sizeof why) < 0) {
                diag_plain("%s", why);
                return status_of(LR_RUN_FAILED);
            }
            plots = &helper;
        }
    if (!status_ok(status = confine(&c->sandbox, o, spec))) {
        if (plots)
            plot_helper_stop(plots);
        return status;
    }
    LrRunOptions run = {o->resume_dir ? o->resume_dir : o->out_dir,
                        o->resume_dir != NULL,
                        threads,
                        o->quiet,
                        o->halt_after,
                        o->sets.items,
                        o->sets.count,
                        o->checkpoint_every};
    if (spec->has_train)
        status = run_experiment(&c->src, spec, &run, &c->diag);
    else if (spec->evaluate_count > 0 || spec->predict_count > 0)
        status = run_inference(&c->src, spec, &c->diag);
    if (status_ok(status) && spec->minimize_count > 0)
        status = run_minimizes(&c->src, spec, &run, &c->diag, plots);
    if (plots)
        plot_helper_stop(plots);
    return status;
}

/* `lrc lsp`: the language server, with the module path of a run and the
 * directories --allow-read adds. */
static LrStatus run_lsp(const Options *o)
{
    const char **dirs, **data_dirs = NULL;
    int count = module_path(&dirs);
    int data_count = count < 0 ? -1 : data_path(&data_dirs);
    if (count < 0 || data_count < 0) {
        free(dirs);
        diag_plain("out of memory");
        return status_of(LR_RUN_FAILED);
    }
    LrStatus status = lsp_serve(dirs, count, data_dirs, data_count, o->allow_read.items,
                                o->allow_read.count);
    free(dirs);
    free(data_dirs);
    return status;
}

/* `lrc predict`: the options, to predict.c. */
static LrStatus run_predict(const Options *o)
{
    thread_count(o);
    LrPredictOptions p = {o->file, o->data, o->figure, o->keep.items, o->keep.count, o->force,
                          o->delimiter ? o->delimiter[0] : ','};
    return predict_command(&p);
}

/* `lrc verify RUN_DIR`: the options, to verify.c. */
static LrStatus run_verify(const Options *o)
{
    LrVerifyOptions v = {o->file, o->data_dir, o->threads};
    return verify_run(&v);
}

static LrStatus run_file(const Options *given)
{
    Resumed resumed = {0};
    const Options *o = given;
    LrStatus status = status_of(LR_OK);
    if (given->resume_dir) {
        status = resume_setup(given, &resumed);
        o = &resumed.options;
    }
    Checked checked;
    if (status_ok(status)) {
        status = check_file(o, &checked);
        if (status_ok(status))
            status = o->command == CMD_CHECK     ? check_only(o, &checked)
                     : o->command == CMD_SUMMARY ? summary_file(&checked)
                                                 : run_checked(o, &checked);
        checked_free(&checked);
    }
    resume_free(&resumed);
    return status;
}

int main(int argc, char **argv)
{
    /* A file-size limit makes writes fail (EFBIG) instead of killing us, so
     * that the atomic writer can clean up and report it. */
    signal(SIGXFSZ, SIG_IGN);
    /* Likewise a closed pipe on stdout (`lrc x.lr | head -1`) is a write
     * error that ends the run with a status, never a signal. */
    signal(SIGPIPE, SIG_IGN);
    Options o;
    /* Each list holds at most one entry per argument. */
    const char **lists = malloc(7 * (size_t)argc * sizeof *lists);
    if (!lists) {
        diag_plain("out of memory");
        exit(exit_code(status_of(LR_RUN_FAILED)));
    }
    o.sets.items = lists;
    o.allow_read.items = lists + argc;
    o.allow_write.items = lists + 2 * argc;
    o.inputs.items = lists + 3 * argc;
    o.schedules.items = lists + 4 * argc;
    o.keep.items = lists + 5 * argc;
    o.slurm_opts.items = lists + 6 * argc;
    LrStatus status;
    char why[1024];
    /* Under mpirun: one rank of a data-parallel job (dist.h), whose output
     * is rank 0's. */
    if (dist_init(&argc, &argv, why, sizeof why) < 0) {
        if (dist_rank() == 0)
            diag_plain("%s", why);
        free(lists);
        exit(exit_code(status_of(LR_LANGUAGE_ERROR)));
    }
    dist_quiet();
    bool parsed = parse_options(argc, argv, &o, &status);
    /* A sweep's runs under mpirun are processes of their own, which would
     * each take every core: they are given the rank's share. */
    if (parsed && dist_size() > 1 && o.threads == 0)
        o.threads = default_threads();
    if (parsed)
        status = o.command == CMD_SCHEDULE                          ? run_schedule(&o)
                 : o.command == CMD_PLOT                            ? run_plot(&o)
                 : o.command == CMD_EXPORT                          ? run_export(&o)
                 : o.command == CMD_FMT                             ? run_fmt(&o)
                 : o.command == CMD_PREDICT                         ? run_predict(&o)
                 : o.command == CMD_VERIFY                          ? run_verify(&o)
                 : o.command == CMD_LSP                             ? run_lsp(&o)
                 : o.command == CMD_COLLECT                         ? sweep_collect(o.file)
                 : o.command == CMD_SUMMARY && is_model_path(o.file) ? summary_model(&o)
                                                                     : run_file(&o);
    /* Also what stopped a run or a predict (report_failed). */
    if (report_flush() < 0) {
        diag_plain("cannot write results: %s", strerror(errno));
        if (status_ok(status))
            status = status_of(LR_RUN_FAILED);
    }
    free(lists);
    dist_finish();
    exit(exit_code(status));
}
