/* main.c — the command line: arguments and subcommands. The only caller of
 * exit(); maps outcomes to exit codes: 0 success, 1 a run that failed, 2 a
 * usage or language error (anything found before training starts). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
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
#include "fileio.h"
#include "minimize.h"
#include "sweep.h"
#include "plan.h"
#include "pool.h"
#include "report.h"
#include "run.h"
#include "sandbox.h"
#include "schedule.h"
#include "weights.h"

#include "version.h"

enum { EXIT_OK = 0, EXIT_RUN_FAILED = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: lrc FILE.lr [--set NAME=VALUE]... [--seed N] [--threads N] [--out DIR]\n"
    "                   [-j N] [--quiet]\n"
    "       lrc --resume DIR [--threads N] [--quiet]\n"
    "       lrc check FILE.lr [--set NAME=VALUE]... [--explain]\n"
    "       lrc schedule EXPR --steps N\n"
    "       lrc --help | --version\n";

static const char help_text[] =
    "lrc runs the machine-learning experiment described in an .lr file.\n"
    "\n"
    "  lrc FILE.lr            check, then train; results on stdout\n"
    "                         (FILE.lr '-': standard input)\n"
    "  lrc check FILE.lr      parse and validate only; prints only errors\n"
    "  lrc schedule EXPR --steps N\n"
    "                         print the learning rate of steps 0..N-1\n"
    "\n"
    "options:\n"
    "  --set NAME=VALUE\n"
    "                 replace the value of `let NAME` (same type);\n"
    "                 NAME=sweep(...) sweeps it\n"
    "  --seed N       override the file's seed\n"
    "  -j N           run N runs of a sweep at a time (default 1)\n"
    "  --allow-read DIR, --allow-write DIR\n"
    "                 let the file read (write) below DIR too; by default it\n"
    "                 reads only below its own directory (the current one for\n"
    "                 standard input), the module path and where it may write,\n"
    "                 and writes only below the run directory (--out) or,\n"
    "                 without one, its own directory; /dev, /proc and /sys\n"
    "                 only with --allow-read\n"
    "  --explain      (check) print the experiment with every default filled in\n"
    "  --out DIR      write metrics.csv, run.json, model.safetensors and a\n"
    "                 checkpoint (each epoch, and on SIGINT/SIGTERM) to DIR\n"
    "  --resume DIR   continue the run checkpointed in DIR\n"
    "  --halt-after N stop as if interrupted after N updates (to test resume)\n"
    "  --threads N    threads for BLAS and lrc's own loops (default: the\n"
    "                 number of cores); results are identical whatever N is\n"
    "  --quiet        nothing on stderr but errors\n"
    "  --help         this text\n"
    "  --version      the version\n"
    "\n"
    "Exit status: 0 success, 1 the run failed, 2 usage or language error.\n"
    "See lrc(1) and lr(5).\n";

typedef struct Options {
    const char *command; /* "run", "check", "schedule" */
    const char *file;    /* or the schedule expression */
    bool has_seed;
    unsigned long long seed;
    long threads;
    long long steps;
    bool quiet;
    const char *out_dir;
    const char *resume_dir;
    long long halt_after;
    const char **sets;   /* NAME=VALUE of each --set (argv's strings) */
    int set_count;
    const char **allow_read, **allow_write; /* --allow-read/--allow-write DIRs */
    int allow_read_count, allow_write_count;
    long jobs;
    bool explain;
} Options;

static int usage_error(const char *fmt, const char *arg)
{
    char message[512];
    snprintf(message, sizeof message, fmt, arg);
    diag_line(stderr, "lrc: error: %s", message);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
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

/* Returns -1 when options are fine, else the exit code to stop with. */
static int parse_options(int argc, char **argv, Options *o)
{
    static const char *const known[] = {"--seed",   "--threads",    "--quiet", "--steps",
                                        "--help",   "--version",    "--set",   "--out",
                                        "--resume", "--halt-after", "--explain", "--allow-read",
                                        "--allow-write", NULL};
    const char **sets = o->sets, **allow_read = o->allow_read, **allow_write = o->allow_write;
    memset(o, 0, sizeof *o);
    o->sets = sets;
    o->allow_read = allow_read;
    o->allow_write = allow_write;
    o->command = "run";
    o->steps = -1;
    int first = 1;
    if (argc > 1 && (strcmp(argv[1], "check") == 0 || strcmp(argv[1], "schedule") == 0)) {
        o->command = argv[1];
        first = 2;
    }
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        long long v;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(help_text, stdout);
            return EXIT_OK;
        }
        if (strcmp(a, "--version") == 0) {
            printf("lrc %s (%s)\n", LRC_VERSION, blas_vendor());
            return EXIT_OK;
        }
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(a, "--seed") == 0 || strcmp(a, "--threads") == 0 ||
                   strcmp(a, "--steps") == 0) {
            if (!value)
                return usage_error("%s needs a value", a);
            i++;
            if (strcmp(a, "--seed") == 0) {
                if (!parse_integer(value, 0, 9007199254740992LL, &v))
                    return usage_error("--seed needs an integer from 0 to 2^53, not '%s'", value);
                o->has_seed = true;
                o->seed = (unsigned long long)v;
            } else if (strcmp(a, "--threads") == 0) {
                if (!parse_integer(value, 1, 1024, &v))
                    return usage_error("--threads needs an integer from 1 to 1024, not '%s'",
                                       value);
                o->threads = (long)v;
            } else {
                if (!parse_integer(value, 0, 1000000000LL, &v))
                    return usage_error("--steps needs an integer from 0 to 10^9, not '%s'",
                                       value);
                o->steps = v;
            }
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "--resume") == 0) {
            if (!value || !*value)
                return usage_error("%s needs a directory", a);
            i++;
            if (strcmp(a, "--out") == 0)
                o->out_dir = value;
            else
                o->resume_dir = value;
        } else if (strcmp(a, "--halt-after") == 0) {
            if (!value || !parse_integer(value, 1, 1000000000000LL, &v))
                return usage_error("--halt-after needs a number of updates >= 1, not '%s'",
                                   value ? value : "");
            i++;
            o->halt_after = v;
        } else if (strcmp(a, "--set") == 0) {
            if (!value || !strchr(value, '='))
                return usage_error("--set takes NAME=VALUE, not '%s'", value ? value : "");
            i++;
            o->sets[o->set_count++] = value;
        } else if (strcmp(a, "--allow-read") == 0 || strcmp(a, "--allow-write") == 0) {
            if (!value || !*value)
                return usage_error("%s needs a directory", a);
            i++;
            if (a[8] == 'r')
                o->allow_read[o->allow_read_count++] = value;
            else
                o->allow_write[o->allow_write_count++] = value;
        } else if (strcmp(a, "-j") == 0) {
            if (!value || !parse_integer(value, 1, 256, &v))
                return usage_error("-j needs a number of runs from 1 to 256, not '%s'",
                                   value ? value : "");
            i++;
            o->jobs = (long)v;
        } else if (strcmp(a, "--explain") == 0) {
            o->explain = true;
        } else if (a[0] == '-' && a[1] != '\0' &&
                   !(strcmp(o->command, "schedule") == 0 && !o->file)) {
            const char *guess = diag_suggest(a, strlen(a), known);
            if (guess) {
                diag_line(stderr, "lrc: error: unknown option '%s'; did you mean '%s'?", a, guess);
                fputs(usage_text, stderr);
                return EXIT_USAGE;
            }
            return usage_error("unknown option '%s'", a);
        } else if (!o->file) {
            o->file = a;
        } else {
            return usage_error("unexpected argument '%s'", a);
        }
    }
    if (o->resume_dir) {
        if (strcmp(o->command, "run") != 0 || o->file || o->out_dir || o->has_seed)
            return usage_error("%s", "--resume DIR takes no file, --out or --seed: the run's "
                                     "checkpoint names them");
        return -1;
    }
    if (!o->file) {
        if (strcmp(o->command, "schedule") == 0)
            return usage_error("%s", "schedule needs an expression, e.g. 'exp_decay(0.1, steps=100, rate=0.5)'");
        return usage_error("%s", "no experiment file given");
    }
    if (strcmp(o->command, "schedule") == 0 && o->steps < 0)
        return usage_error("%s", "schedule needs --steps N");
    if (strcmp(o->command, "schedule") != 0 && o->steps >= 0)
        return usage_error("%s", "--steps only applies to 'lrc schedule'");
    if (o->explain && strcmp(o->command, "check") != 0)
        return usage_error("%s", "--explain only applies to 'lrc check'");
    return -1;
}

static int run_schedule(const Options *o)
{
    LrSource src;
    if (source_from_string(&src, "<expr>", o->file) < 0) {
        fprintf(stderr, "lrc: error: out of memory\n");
        return EXIT_RUN_FAILED;
    }
    LrDiag diag;
    diag_init(&diag, stderr);
    LrArena arena = {0};
    LrProgram prog;
    LrScheduleSpec sched;
    int status = EXIT_USAGE;
    if (parse_expression(&src, &arena, &diag, &prog) == 0 &&
        check_schedule(&prog, &arena, &diag, &sched) == 0) {
        report_schedule_header();
        for (long long s = 0; s < o->steps; s++)
            report_schedule_row(s, schedule_lr(&sched, s));
        status = EXIT_OK;
    }
    arena_free(&arena);
    source_free(&src);
    return status;
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
    int n = 0;
    while (*env) {
        const char *colon = strchr(env, ':');
        size_t len = colon ? (size_t)(colon - env) : strlen(env);
        if (len > 0) {
            memcpy(buf, env, len);
            buf[len] = '\0';
            list[n++] = buf;
            buf += len + 1;
        }
        env = colon ? colon + 1 : "";
    }
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

/* What the file may touch (sandbox.h): below its own directory and the
 * module path for reading; the run directory, or the file's own directory
 * without one, for writing (never the current directory: a downloaded
 * file run from $HOME must not reach $HOME); plus what
 * --allow-read/--allow-write add. Returns -1 when out of memory. */
static int build_sandbox(LrSandbox *box, const Options *o, const char *file,
                         bool from_stream, const char *const *dirs, int dir_count)
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
    for (int i = 0; i < o->allow_read_count; i++)
        failed |= sandbox_allow_read(box, o->allow_read[i], true);
    const char *out = o->resume_dir ? o->resume_dir : o->out_dir;
    failed |= sandbox_allow_write(box, out ? out : dir, out != NULL);
    if (out)
        failed |= sandbox_set_run_dir(box, out);
    box->write_place = out ? "the run directory (--out)" : "the experiment's directory";
    for (int i = 0; i < o->allow_write_count; i++)
        failed |= sandbox_allow_write(box, o->allow_write[i], true);
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
    if (!realpath(dir, real))
        return false;
    static const char *const system[] = {"/dev", "/proc", "/sys"};
    for (size_t i = 0; i < sizeof system / sizeof *system; i++) {
        size_t n = strlen(system[i]);
        if (strncmp(real, system[i], n) == 0 && (real[n] == '\0' || real[n] == '/'))
            return true;
    }
    return false;
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
        if (spec->datasets[i].kind == DATA_CSV)
            return true;
    return spec->save_path || spec->load_path;
}

/* Once the file is checked: the kernel holds the run to what the checks
 * allowed (sandbox.h). The run directory must exist to be allowed. Returns
 * -1 to go on, else the exit status. */
static int confine(const LrSandbox *box, const Options *o, const LrSpec *spec)
{
    char why[PATH_MAX + 512];
    const char *run_dir = o->resume_dir ? o->resume_dir : o->out_dir;
    if (run_dir && file_make_dirs(run_dir, why, sizeof why) < 0) {
        fprintf(stderr, "lrc: error: %s\n", why);
        return EXIT_RUN_FAILED;
    }
    int enforced = sandbox_enforce(box, why, sizeof why);
    if (enforced < 0) {
        fprintf(stderr, "lrc: error: %s\n", why);
        return EXIT_RUN_FAILED;
    }
    if (enforced == 0 && !o->quiet && touches_files(spec))
        fprintf(stderr, "lrc: note: this kernel has no Landlock; only lrc's own path checks "
                        "confine the file\n");
    return -1;
}

/* Each run of a sweep may write only in its own run directory and what
 * --allow-write adds (build_sandbox, in the run), so a `save` must lie in
 * the latter: said once here, at the save, rather than by every run. */
static int check_sweep_save(const Options *o, const LrSpec *spec, const LrSource *src,
                            LrDiag *diag)
{
    LrSandbox runs = {0};
    int failed = 0;
    for (int i = 0; i < o->allow_write_count; i++)
        failed |= sandbox_allow_write(&runs, o->allow_write[i], true);
    runs.write_place = "the run directory of each run of the sweep";
    char why[2 * PATH_MAX + 200];
    int status = 0;
    if (failed) {
        fprintf(stderr, "lrc: error: out of memory\n");
        status = -1;
    } else if (sandbox_check_write(&runs, spec->save_path, why, sizeof why) < 0) {
        diag_error(diag, src, spec->save_span, "%s", why);
        status = -1;
    }
    sandbox_free(&runs);
    return status;
}

/* The sweep: this binary runs once per combination (sweep.c). */
static int run_sweep(const Options *o, const LrSpec *spec, const LrSandbox *box)
{
    char exe[PATH_MAX];
    if (!realpath("/proc/self/exe", exe)) {
        fprintf(stderr, "lrc: error: cannot find the lrc binary to run the sweep\n");
        return EXIT_RUN_FAILED;
    }
    LrSweepAxis axes[SPEC_MAX_SWEEPS];
    for (int i = 0; i < spec->sweep_count; i++)
        axes[i] = (LrSweepAxis){spec->sweeps[i].name, spec->sweeps[i].count,
                                spec->sweeps[i].values};
    /* Every run gets the options that are not the sweep's own: each
     * --set, --allow-read and --allow-write, --seed and --threads. */
    size_t pairs = (size_t)o->set_count + (size_t)o->allow_read_count +
                   (size_t)o->allow_write_count + 2;
    const char **extra = malloc((2 * pairs + 1) * sizeof *extra);
    if (!extra) {
        fprintf(stderr, "lrc: error: out of memory\n");
        return EXIT_RUN_FAILED;
    }
    char seed[32], threads[32];
    int n = 0;
    for (int i = 0; i < o->set_count; i++) {
        /* A swept name's value is the run's own, not the --set NAME=sweep(...) it came from
         * (which would make each run a sweep again). */
        bool swept = false;
        size_t len = strcspn(o->sets[i], "=");
        for (int a = 0; a < spec->sweep_count && !swept; a++)
            swept = strlen(axes[a].name) == len && memcmp(axes[a].name, o->sets[i], len) == 0;
        if (!swept) {
            extra[n++] = "--set";
            extra[n++] = o->sets[i];
        }
    }
    for (int i = 0; i < o->allow_read_count; i++) {
        extra[n++] = "--allow-read";
        extra[n++] = o->allow_read[i];
    }
    for (int i = 0; i < o->allow_write_count; i++) {
        extra[n++] = "--allow-write";
        extra[n++] = o->allow_write[i];
    }
    if (o->has_seed) {
        snprintf(seed, sizeof seed, "%llu", o->seed);
        extra[n++] = "--seed";
        extra[n++] = seed;
    }
    /* Runs side by side share the cores: one BLAS thread each unless told. */
    if (o->threads > 0 || o->jobs > 1) {
        snprintf(threads, sizeof threads, "%ld", o->threads > 0 ? o->threads : 1L);
        extra[n++] = "--threads";
        extra[n++] = threads;
    }
    extra[n] = NULL;
    LrSweepOptions options = {exe, o->file, extra, o->jobs > 0 ? (int)o->jobs : 1, o->out_dir,
                              box};
    int status = sweep_run(axes, spec->sweep_count, &options);
    free(extra);
    return status;
}

static int run_file(const Options *given)
{
    Options resumed = *given;
    const Options *o = given;
    char *resumed_sets = NULL;
    const char **all_sets = NULL; /* the given --set values, then the recorded ones */
    char resumed_from[4096];
    const char *file = o->file;
    char why[512];
    uint64_t resumed_seed = 0;
    bool resumed_has_seed = false;
    if (o->resume_dir) {
        int recorded = 0;
        if (checkpoint_source(o->resume_dir, resumed_from, sizeof resumed_from,
                              &resumed_has_seed, &resumed_seed, &resumed_sets, &recorded, why,
                              sizeof why) < 0) {
            diag_line(stderr, "lrc: error: cannot resume: %s", why);
            return EXIT_RUN_FAILED;
        }
        file = resumed_from;
        /* The run's --set values, as the checkpoint recorded them. */
        all_sets = malloc(((size_t)given->set_count + (size_t)recorded + 1) * sizeof *all_sets);
        if (!all_sets) {
            fprintf(stderr, "lrc: error: out of memory\n");
            free(resumed_sets);
            return EXIT_RUN_FAILED;
        }
        for (int i = 0; i < given->set_count; i++)
            all_sets[i] = given->sets[i];
        resumed.sets = all_sets;
        const char *value = resumed_sets;
        for (int i = 0; i < recorded; i++, value += strlen(value) + 1)
            resumed.sets[resumed.set_count++] = value;
        o = &resumed;
    }
    LrSource src;
    if (source_read(&src, file, why, sizeof why) < 0) {
        diag_line(stderr, "lrc: error: cannot read '%s': %s", file, why);
        free(resumed_sets);
        free(all_sets);
        return EXIT_USAGE;
    }
    LrDiag diag;
    diag_init(&diag, stderr);
    LrArena arena = {0};
    LrProgram prog;
    LrSpec spec;
    int status = EXIT_USAGE;
    LrSandbox sandbox = {0};
    const char **dirs = NULL;
    int dir_count = module_path(&dirs);
    bool from_stream = is_stream(file);
    if (dir_count < 0 || build_sandbox(&sandbox, o, file, from_stream, dirs, dir_count) < 0) {
        fprintf(stderr, "lrc: error: out of memory\n");
        status = EXIT_RUN_FAILED;
        goto done;
    }
    LrCheckOptions check = {dirs, dir_count, o->sets, o->set_count, &sandbox, from_stream};
    if (parse_program(&src, &arena, &diag, &prog) < 0 ||
        check_program_with(&prog, &src, &check, &arena, &diag, &spec) < 0)
        goto done;
    if (spec.sweep_count > 0 && spec.save_path && check_sweep_save(o, &spec, &src, &diag) < 0)
        goto done;
    if (o->has_seed || resumed_has_seed) {
        spec.seed = resumed_has_seed ? resumed_seed : o->seed;
        spec.has_seed = true;
        spec.seed_overridden = true;
    }
    if (strcmp(o->command, "check") == 0) {
        /* The size check reads the CSV headers; without training, only
         * the headers are checked. */
        int bad = spec.has_train && plan_check_size(&spec, &src, &diag) < 0;
        for (int i = 0; !spec.has_train && !bad && i < spec.dataset_count; i++)
            bad = data_check_columns(&spec.datasets[i], &src, &diag, NULL) != 0;
        status = bad ? EXIT_USAGE : EXIT_OK;
        if (!bad && o->explain) {
            LrBuffer text = {0};
            explain_spec(&spec, &text);
            if (text.data)
                fputs(text.data, stdout);
            buffer_free(&text);
        }
        goto done;
    }
    if (spec.sweep_count > 0) {
        if (from_stream) {
            fprintf(stderr, "lrc: error: a sweep reads its file once per run, so it cannot "
                            "come from standard input or a pipe\n");
            goto done;
        }
        if (o->resume_dir || o->halt_after) {
            fprintf(stderr, "lrc: error: a sweep cannot be resumed or halted as a whole; "
                            "resume its runs one by one\n");
            goto done;
        }
        test_pause();
        status = run_sweep(o, &spec, &sandbox);
        goto done;
    }
    if (spec.has_train && plan_check_size(&spec, &src, &diag) < 0)
        goto done;
    long threads = o->threads;
    if (threads <= 0) {
        threads = sysconf(_SC_NPROCESSORS_ONLN);
        if (threads < 1)
            threads = 1;
    }
    /* More threads than cores only take turns (and the pool's idle ones
     * poll): the pool is capped at the cores, like OpenBLAS's. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    pool_set_threads((int)(cores >= 1 && cores < threads ? cores : threads));
    test_pause();
    if ((status = confine(&sandbox, o, &spec)) >= 0)
        goto done;
    LrRunOptions run = {o->resume_dir ? o->resume_dir : o->out_dir, o->resume_dir != NULL,
                        (int)threads, o->quiet, o->halt_after, o->sets, o->set_count};
    status = spec.has_train ? run_experiment(&src, &spec, &run, &diag) : EXIT_OK;
    for (int i = 0; status == EXIT_OK && i < spec.minimize_count; i++)
        status = minimize_run(&spec.minimizes[i], &src, &diag) == 0 ? EXIT_OK : EXIT_RUN_FAILED;
done:
    if (fflush(stdout) != 0 && status == EXIT_OK) {
        fprintf(stderr, "lrc: error: cannot write results: %s\n", strerror(errno));
        status = EXIT_RUN_FAILED;
    }
    arena_free(&arena);
    source_free(&src);
    free(resumed_sets);
    free(all_sets);
    free(dirs);
    sandbox_free(&sandbox);
    return status;
}

int main(int argc, char **argv)
{
    /* A file-size limit makes writes fail (EFBIG) instead of killing us, so
     * that the atomic writer can clean up and report it. */
    signal(SIGXFSZ, SIG_IGN);
    Options o;
    /* Each list holds at most one entry per argument. */
    const char **lists = malloc(3 * (size_t)argc * sizeof *lists);
    if (!lists) {
        fprintf(stderr, "lrc: error: out of memory\n");
        return EXIT_RUN_FAILED;
    }
    o.sets = lists;
    o.allow_read = lists + argc;
    o.allow_write = lists + 2 * argc;
    int status = parse_options(argc, argv, &o);
    if (status < 0)
        status = strcmp(o.command, "schedule") == 0 ? run_schedule(&o) : run_file(&o);
    if (fflush(stdout) != 0 && status == EXIT_OK) {
        fprintf(stderr, "lrc: error: cannot write to stdout: %s\n", strerror(errno));
        status = EXIT_RUN_FAILED;
    }
    free(lists);
    exit(status);
}
