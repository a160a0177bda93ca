/* verify.c — see verify.h. The re-run is this binary on the recorded
 * experiment, in a process of its own: it keeps every promise a run keeps
 * (its sandbox, Landlock included; checkpoints; signals), its results go
 * to a file rather than our stdout, and the directory it ran in can still
 * be removed afterwards, which a process confined to it could not do. */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp, realpath */
#include "verify.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"
#include "json.h"
#include "report.h"
#include "sha256.h"
#include "version.h"

/* run.json, metrics.csv and traces are read whole; none comes near this. */
enum { VERIFY_MAX_FILE = 1 << 30 };

/* Process-wide, for the handler: the first SIGINT/SIGTERM received, and
 * the re-run to pass it on to (0: none running). */
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t rerun_pid;

static void on_signal(int sig)
{
    if (!stop_signal)
        stop_signal = sig;
    if (rerun_pid > 0)
        kill((pid_t)rerun_pid, sig);
}

static const char *string_member(const LrJson *object, const char *key)
{
    const LrJson *v = json_get(object, key);
    return v && v->kind == LR_JSON_STRING ? v->string : NULL;
}

/* A file the experiment reads by its path: a CSV file run.json lists,
 * with its SHA-256, or the model it loads (no hash recorded). */
typedef struct Input {
    const char *path;  /* as the experiment writes it */
    const char *sha;   /* NULL: not recorded */
    const char *name;  /* the data set's; NULL: the loaded model */
} Input;

/* What verify takes from run.json. */
typedef struct Recorded {
    LrJson *root;
    const char *experiment, *version, *source;
    const char *weights_sha;    /* NULL: the file trains nothing */
    const char *experiment_sha; /* "" when missing */
    Input *inputs;
    int input_count;
    char *load_path;            /* decoded from the experiment; owned */
} Recorded;

static void recorded_free(Recorded *r)
{
    json_free(r->root);
    free(r->inputs);
    free(r->load_path);
}

/* The path of the experiment's load statement, a line `load "PATH"` as
 * explain.c writes it (its escapes undone), malloc'd; NULL: none. */
static char *experiment_load_path(const char *experiment)
{
    const char *line = experiment;
    while (line && strncmp(line, "load \"", 6) != 0) {
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    if (!line)
        return NULL;
    const char *p = line + 6;
    char *out = malloc(strcspn(p, "\n") + 1), *o = out;
    if (!out)
        return NULL;
    for (; *p && *p != '"' && *p != '\n'; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            *o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* r's inputs: each data file of run.json's data (an idx data set has
 * two), then the loaded model. -1 when out of memory. */
static int collect_inputs(Recorded *r)
{
    const LrJson *data = json_get(r->root, "data");
    int count = data && data->kind == LR_JSON_ARRAY ? data->count : 0;
    r->load_path = experiment_load_path(r->experiment);
    r->inputs = calloc(2 * (size_t)count + 1, sizeof *r->inputs);
    if (!r->inputs)
        return -1;
    for (const LrJson *d = count ? data->first : NULL; d; d = d->next) {
        const char *path = string_member(d, "path"), *sha = string_member(d, "sha256");
        if (path && sha) /* else a generated data set */
            r->inputs[r->input_count++] = (Input){path, sha, string_member(d, "name")};
        /* An idx data set's second file. */
        path = string_member(d, "labels_path"), sha = string_member(d, "labels_sha256");
        if (path && sha)
            r->inputs[r->input_count++] = (Input){path, sha, string_member(d, "name")};
    }
    if (r->load_path)
        r->inputs[r->input_count++] = (Input){r->load_path, NULL, NULL};
    return 0;
}

/* Reads dir's run.json into r. Refuses (LR_LANGUAGE_ERROR, reported) a
 * directory that holds a sweep, a run that did not finish, one that
 * failed, or a run.json without an experiment. */
static LrStatus read_recorded(const char *dir, Recorded *r)
{
    char path[PATH_MAX], why[PATH_MAX + 512];
    struct stat st;
    memset(r, 0, sizeof *r);
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    if (stat(path, &st) == 0) {
        diag_plain("'%s' holds a sweep: verify its runs one by one, e.g. lrc verify "
                   "%s/run-001",
                   dir, dir);
        return status_of(LR_LANGUAGE_ERROR);
    }
    snprintf(path, sizeof path, "%s/run.json", dir);
    size_t size;
    char *text = file_read_all(path, VERIFY_MAX_FILE, &size, why, sizeof why);
    if (!text) {
        char checkpoint[PATH_MAX];
        snprintf(checkpoint, sizeof checkpoint, "%s/checkpoint.safetensors", dir);
        if (stat(checkpoint, &st) == 0)
            diag_plain("'%s' holds a run that did not finish (no run.json): continue it with "
                       "lrc --resume %s, then verify it",
                       dir, dir);
        else
            diag_plain("cannot read '%s': %s", path, why);
        return status_of(LR_LANGUAGE_ERROR);
    }
    r->root = json_parse(text, size, why, sizeof why);
    free(text);
    if (!r->root || r->root->kind != LR_JSON_OBJECT) {
        diag_plain("'%s' is damaged: %s", path, r->root ? "not a JSON object" : why);
        return status_of(LR_LANGUAGE_ERROR);
    }
    const char *error = string_member(r->root, "error");
    if (error) {
        diag_plain("the run in '%s' failed (%s): it has no result to reproduce", dir, error);
        return status_of(LR_LANGUAGE_ERROR);
    }
    r->experiment = string_member(r->root, "experiment");
    r->version = string_member(r->root, "lrc_version");
    r->source = string_member(r->root, "source");
    r->weights_sha = string_member(r->root, "weights_sha256");
    r->experiment_sha = string_member(r->root, "experiment_sha256");
    if (!r->experiment_sha)
        r->experiment_sha = "";
    if (!r->experiment || !r->version) {
        diag_plain("'%s' is damaged: it has no %s", path, r->experiment ? "lrc_version" : "experiment");
        return status_of(LR_LANGUAGE_ERROR);
    }
    if (!r->weights_sha && !json_get(r->root, "minimize")) {
        diag_plain("'%s' records no trained model and no minimize: nothing to reproduce", path);
        return status_of(LR_LANGUAGE_ERROR);
    }
    if (collect_inputs(r) < 0) {
        diag_plain("out of memory");
        return status_of(LR_RUN_FAILED);
    }
    return status_of(LR_OK);
}

/* Where the recorded data paths start: --data, else the experiment file's
 * directory while that file exists, else the current directory. */
static void data_base(const LrVerifyOptions *o, const Recorded *r, char *out, size_t size)
{
    struct stat st;
    const char *slash = r->source ? strrchr(r->source, '/') : NULL;
    if (o->data_dir)
        snprintf(out, size, "%s", o->data_dir);
    else if (slash && stat(r->source, &st) == 0 && S_ISREG(st.st_mode))
        snprintf(out, size, "%.*s", slash == r->source ? 1 : (int)(slash - r->source), r->source);
    else
        snprintf(out, size, ".");
}

/* A recorded data file as found now: its path from base (an absolute
 * path, or one from the current directory, stays as written). */
static void data_path(const char *base, const char *path, char *out, size_t size)
{
    if (path[0] == '/' || strcmp(base, ".") == 0)
        snprintf(out, size, "%s", path);
    else
        snprintf(out, size, "%s/%s", base, path);
}

/* Every input must be there, and a data file have the recorded SHA-256. */
static LrStatus check_inputs(const Recorded *r, const char *base)
{
    for (int i = 0; i < r->input_count; i++) {
        const Input *in = &r->inputs[i];
        char found[2 * PATH_MAX], now[65], what[3 * PATH_MAX];
        data_path(base, in->path, found, sizeof found);
        if (in->name)
            snprintf(what, sizeof what, "data file '%s' of data set '%s'", found, in->name);
        else
            snprintf(what, sizeof what, "model file '%s' that the experiment loads", found);
        if (sha256_file_hex(found, now) < 0) {
            diag_plain("cannot read %s: %s (the run read '%s'; give where it is now with "
                       "--data DIR)",
                       what, strerror(errno), in->path);
            return status_of(LR_LANGUAGE_ERROR);
        }
        if (in->sha && strcmp(now, in->sha) != 0) {
            diag_plain("%s is not the one the run used: its SHA-256 is %s, the run recorded %s",
                       what, now, in->sha);
            return status_of(LR_LANGUAGE_ERROR);
        }
    }
    return status_of(LR_OK);
}

/* The lowest a relative path climbs with "..", from 0 (never above its
 * start) down: "../../d/x.csv" is -2. */
static int path_lowest_depth(const char *p)
{
    int depth = 0, lowest = 0;
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            depth--;
        else if (n > 0 && !(n == 1 && p[0] == '.'))
            depth++;
        if (depth < lowest)
            lowest = depth;
        p += n;
        while (*p == '/')
            p++;
    }
    return lowest;
}

/* The directories a re-run gets --allow-read for: those of the data files
 * it reads through the links. */
typedef struct ReadDirs {
    char **dirs;
    int count;
} ReadDirs;

static void read_dirs_free(ReadDirs *d)
{
    for (int i = 0; i < d->count; i++)
        free(d->dirs[i]);
    free(d->dirs);
}

/* Lays out the experiment for its re-run under tmp: its text in a file of
 * tmp/experiment (deep enough that each input path's ".." stays inside),
 * and at each relative input path from there a symbolic link to the file
 * found from base, so that the experiment reads what it read, by the same
 * paths. Its save and predict files then land in tmp/experiment too.
 * file receives the experiment file's path, reads the directories of the
 * inputs. -1 with why on failure. */
static int lay_out(const Recorded *r, const char *base, const char *tmp, char *file,
                   size_t file_size, ReadDirs *reads, char *why, size_t why_size)
{
    int lowest = 0;
    for (int i = 0; i < r->input_count; i++)
        if (r->inputs[i].path[0] != '/' && path_lowest_depth(r->inputs[i].path) < lowest)
            lowest = path_lowest_depth(r->inputs[i].path);
    char work[PATH_MAX];
    size_t used = (size_t)snprintf(work, sizeof work, "%s/experiment", tmp);
    for (int i = 0; i < -lowest && used < sizeof work; i++)
        used += (size_t)snprintf(work + used, sizeof work - used, "/up");
    if (used >= sizeof work) {
        snprintf(why, why_size, "the data paths climb too far with '..'");
        return -1;
    }
    if (file_make_dirs(work, why, why_size) < 0)
        return -1;
    /* Named as the run's file was, for the re-run's messages. */
    const char *name = r->source ? strrchr(r->source, '/') : NULL;
    name = name ? name + 1 : r->source;
    size_t n = name ? strlen(name) : 0;
    if (n < 4 || n > NAME_MAX || strcmp(name + n - 3, ".lr") != 0)
        name = "experiment.lr";
    snprintf(file, file_size, "%s/%s", work, name);
    if (file_write_atomic(file, r->experiment, strlen(r->experiment), why, why_size) < 0)
        return -1;
    reads->dirs = calloc((size_t)r->input_count + 1, sizeof *reads->dirs);
    if (!reads->dirs) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    for (int i = 0; i < r->input_count; i++) {
        const char *path = r->inputs[i].path;
        char found[2 * PATH_MAX], real[PATH_MAX], link[2 * PATH_MAX];
        data_path(base, path, found, sizeof found);
        if (!realpath(found, real)) {
            snprintf(why, why_size, "cannot resolve '%s': %s", found, strerror(errno));
            return -1;
        }
        char *dir = strdup(real);
        if (!dir) {
            snprintf(why, why_size, "out of memory");
            return -1;
        }
        char *slash = strrchr(dir, '/');
        slash[slash == dir ? 1 : 0] = '\0';
        reads->dirs[reads->count++] = dir;
        if (path[0] == '/')
            continue; /* read where it is */
        snprintf(link, sizeof link, "%s/%s", work, path);
        char *end = strrchr(link, '/');
        *end = '\0';
        if (file_make_dirs(link, why, why_size) < 0)
            return -1;
        *end = '/';
        /* Two data sets may read one file. */
        if (symlink(real, link) != 0 && errno != EEXIST) {
            snprintf(why, why_size, "cannot link '%s': %s", link, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Runs exe on file with the run directory rundir, its stdout and stderr
 * into files of tmp; signals (stop_signal) are passed on. Returns the
 * outcome as the re-run's exit status tells it; when it failed, its
 * stderr is shown. */
static LrStatus rerun(const LrVerifyOptions *o, const char *exe, const char *file,
                      const char *tmp, const char *rundir, const ReadDirs *reads)
{
    char work[PATH_MAX], out_path[PATH_MAX], err_path[PATH_MAX], threads[32];
    snprintf(work, sizeof work, "%s/experiment", tmp);
    snprintf(out_path, sizeof out_path, "%s/stdout.txt", tmp);
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", tmp);
    const char **argv = calloc(12 + 2 * (size_t)reads->count, sizeof *argv);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    int err = open(err_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    int open_errno = errno;
    LrStatus status = status_of(LR_OK);
    if (!argv || in < 0 || out < 0 || err < 0) {
        diag_plain("cannot start the re-run: %s", argv ? strerror(open_errno) : "out of memory");
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    int n = 0;
    argv[n++] = exe;
    argv[n++] = file;
    argv[n++] = "--out";
    argv[n++] = rundir;
    argv[n++] = "--quiet";
    /* Its save and predict files stay in the temporary directory. */
    argv[n++] = "--allow-write";
    argv[n++] = work;
    for (int i = 0; i < reads->count; i++) {
        argv[n++] = "--allow-read";
        argv[n++] = reads->dirs[i];
    }
    if (o->threads > 0) {
        snprintf(threads, sizeof threads, "%lld", o->threads);
        argv[n++] = "--threads";
        argv[n++] = threads;
    }
    argv[n] = NULL;
    if (stop_signal)
        goto done;
    fflush(NULL); /* nothing buffered may be written twice */
    pid_t pid = fork();
    if (pid == 0) {
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(127);
        /* execv takes char *const[] for historical reasons; it does not write. */
        execv(exe, (char *const *)argv);
        static const char msg[] = "lrc: error: cannot execute lrc for the re-run\n";
        ssize_t ignored = write(2, msg, sizeof msg - 1);
        (void)ignored;
        _exit(127);
    }
    if (pid < 0) {
        diag_plain("cannot start the re-run: %s", strerror(errno));
        status = status_of(LR_RUN_FAILED);
        goto done;
    }
    rerun_pid = pid;
    /* A signal between fork and the line above was not passed on. */
    if (stop_signal)
        kill(pid, stop_signal);
    int wstatus;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    rerun_pid = 0;
    int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    if (code != 0 && !stop_signal && code <= 128) {
        char why[PATH_MAX + 512];
        size_t size;
        char *text = file_read_all(err_path, VERIFY_MAX_FILE, &size, why, sizeof why);
        diag_plain("the re-run of the experiment failed (status %d); it said:", code);
        if (text)
            diag_text(text);
        free(text);
        status = status_of(code == 2 ? LR_LANGUAGE_ERROR : LR_RUN_FAILED);
    } else if (code > 128 && !stop_signal) {
        /* Ended by something other than a signal to verify (the OOM
         * killer, a kill of its pid): no verdict, and not our signal. */
        diag_plain("the re-run of the experiment was ended by signal %d, so nothing is verified",
                   code - 128);
        status = status_of(LR_RUN_FAILED);
    }
done:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (err >= 0)
        close(err);
    free(argv);
    if (stop_signal)
        status = status_interrupted(stop_signal);
    return status;
}

/* The next line of *p, NUL-terminated in place, or NULL at the end. */
static char *next_line(char **p)
{
    if (!**p)
        return NULL;
    char *line = *p;
    char *end = strchr(line, '\n');
    if (end) {
        *end = '\0';
        *p = end + 1;
    } else {
        *p = line + strlen(line);
    }
    return line;
}

/* Splits line at its commas, in place, into at most max fields. */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    for (char *p = line; n < max;) {
        fields[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p++ = '\0';
    }
    return n;
}

enum { CSV_MAX_COLUMNS = 256 };

/* Compares name (a CSV file lrc writes, rows keyed by their first column)
 * in the run directory and in the re-run's, every column but "seconds".
 * Returns 0 when they agree; 1 with the first difference in diff; -1 with
 * why a file cannot be read in diff. */
static int compare_csv(const char *name, const char *run_dir, const char *rerun_dir, char *diff,
                       size_t size)
{
    char path[2][PATH_MAX], why[PATH_MAX + 512];
    char *text[2] = {NULL, NULL};
    snprintf(path[0], sizeof path[0], "%s/%s", run_dir, name);
    snprintf(path[1], sizeof path[1], "%s/%s", rerun_dir, name);
    for (int i = 0; i < 2; i++) {
        size_t length;
        text[i] = file_read_all(path[i], VERIFY_MAX_FILE, &length, why, sizeof why);
        if (!text[i]) {
            snprintf(diff, size, "cannot read '%s': %s", path[i], why);
            free(text[0]);
            return -1;
        }
    }
    char *p[2] = {text[0], text[1]}, *line[2];
    char *header = next_line(&p[0]), *rerun_header = next_line(&p[1]);
    int status = 0;
    char *names[CSV_MAX_COLUMNS], *fields[2][CSV_MAX_COLUMNS];
    if (!header || !rerun_header || strcmp(header, rerun_header) != 0) {
        snprintf(diff, size, "%s's columns differ: recorded '%s', re-run '%s'", name,
                 header ? header : "", rerun_header ? rerun_header : "");
        status = 1;
        goto done;
    }
    int columns = split_fields(header, names, CSV_MAX_COLUMNS);
    for (;;) {
        line[0] = next_line(&p[0]);
        line[1] = next_line(&p[1]);
        if (!line[0] && !line[1])
            break;
        if (!line[0] || !line[1]) {
            char *extra = line[0] ? line[0] : line[1];
            extra[strcspn(extra, ",")] = '\0';
            snprintf(diff, size, "%s, %s %s: %s", name, names[0], extra,
                     line[0] ? "recorded, but not in the re-run" : "in the re-run, not recorded");
            status = 1;
            goto done;
        }
        int count[2];
        for (int i = 0; i < 2; i++) {
            count[i] = split_fields(line[i], fields[i], CSV_MAX_COLUMNS);
            for (int c = count[i]; c < columns; c++)
                fields[i][c] = "";
        }
        for (int c = 0; c < columns; c++) {
            if (strcmp(names[c], "seconds") == 0 || strcmp(fields[0][c], fields[1][c]) == 0)
                continue;
            snprintf(diff, size, "%s, %s %s, %s: recorded %s, re-run %s", name, names[0],
                     fields[0][0], names[c], fields[0][c], fields[1][c]);
            status = 1;
            goto done;
        }
        if (count[0] != count[1]) {
            snprintf(diff, size, "%s, %s %s: %d columns recorded, %d re-run", name, names[0],
                     fields[0][0], count[0], count[1]);
            status = 1;
            goto done;
        }
    }
done:
    free(text[0]);
    free(text[1]);
    return status;
}

/* The final weights: the run directory's model.safetensors must be the one
 * run.json records, and the re-run's the same. Returns as compare_csv;
 * sha receives the hash. */
static int compare_weights(const Recorded *r, const char *run_dir, const char *rerun_dir,
                           char sha[65], char *diff, size_t size)
{
    char path[PATH_MAX], rerun_sha[65];
    snprintf(path, sizeof path, "%s/model.safetensors", run_dir);
    if (sha256_file_hex(path, sha) < 0) {
        snprintf(diff, size, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    if (strcmp(sha, r->weights_sha) != 0) {
        snprintf(diff, size, "model.safetensors's SHA-256 is %s, but run.json records %s", sha,
                 r->weights_sha);
        return 1;
    }
    snprintf(path, sizeof path, "%s/model.safetensors", rerun_dir);
    if (sha256_file_hex(path, rerun_sha) < 0) {
        snprintf(diff, size, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    if (strcmp(sha, rerun_sha) != 0) {
        snprintf(diff, size, "model.safetensors: SHA-256 recorded %s, re-run %s", sha,
                 rerun_sha);
        return 1;
    }
    return 0;
}

/* What the run directory holds against the re-run's: metrics.csv, each
 * trace-N.csv, the weights. Prints the result line, or names the first
 * difference. */
static LrStatus compare(const Recorded *r, const char *run_dir, const char *rerun_dir)
{
    char diff[3 * PATH_MAX], sha[65];
    int differs = 0;
    if (r->weights_sha)
        differs = compare_csv("metrics.csv", run_dir, rerun_dir, diff, sizeof diff);
    for (int i = 1; !differs; i++) {
        char name[32], path[2][PATH_MAX];
        struct stat st;
        snprintf(name, sizeof name, "trace-%d.csv", i);
        snprintf(path[0], sizeof path[0], "%s/%s", run_dir, name);
        snprintf(path[1], sizeof path[1], "%s/%s", rerun_dir, name);
        if (stat(path[0], &st) != 0 && stat(path[1], &st) != 0)
            break;
        differs = compare_csv(name, run_dir, rerun_dir, diff, sizeof diff);
    }
    if (!differs && r->weights_sha)
        differs = compare_weights(r, run_dir, rerun_dir, sha, diff, sizeof diff);
    else if (!differs)
        snprintf(sha, sizeof sha, "%s", r->experiment_sha);
    if (differs < 0) {
        diag_plain("%s", diff);
        return status_of(LR_LANGUAGE_ERROR);
    }
    if (differs) {
        diag_plain("'%s' is not reproduced: %s", run_dir, diff);
        return status_of(LR_RUN_FAILED);
    }
    char line[96];
    snprintf(line, sizeof line, "reproduced: %s\n", sha);
    report_text(line);
    return status_of(LR_OK);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* The temporary directory, whatever the re-run left in it. */
static void remove_tree(const char *dir)
{
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        diag_info("warning: cannot remove the temporary directory '%s' entirely", dir);
}

LrStatus verify_run(const LrVerifyOptions *o)
{
    Recorded r;
    LrStatus status = read_recorded(o->run_dir, &r);
    char base[PATH_MAX], exe[PATH_MAX];
    if (status_ok(status) && strcmp(r.version, LRC_VERSION) != 0)
        diag_info("note: the run was made by lrc %s, this is lrc %s; verifying anyway (a "
                  "difference may come from the version)",
                  r.version, LRC_VERSION);
    if (status_ok(status)) {
        data_base(o, &r, base, sizeof base);
        status = check_inputs(&r, base);
    }
    if (status_ok(status) && !realpath("/proc/self/exe", exe)) {
        diag_plain("cannot find the lrc binary to re-run the experiment");
        status = status_of(LR_RUN_FAILED);
    }
    if (!status_ok(status)) {
        recorded_free(&r);
        return status;
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    const char *tmpdir = getenv("TMPDIR");
    char template[PATH_MAX], file[2 * PATH_MAX], why[3 * PATH_MAX];
    snprintf(template, sizeof template, "%s/lrc-verify-XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    ReadDirs reads = {0};
    /* On the heap, as strings of unknown length, so that the paths made
     * from them are sized by what they hold. */
    char *tmp = mkdtemp(template) ? strdup(template) : NULL;
    char *rerun_dir = tmp ? malloc(strlen(tmp) + sizeof "/run") : NULL;
    if (!tmp) {
        diag_plain("cannot make a temporary directory '%s': %s", template, strerror(errno));
        status = status_of(LR_RUN_FAILED);
    } else if (!rerun_dir) {
        diag_plain("out of memory");
        status = status_of(LR_RUN_FAILED);
        remove_tree(tmp);
    } else {
        sprintf(rerun_dir, "%s/run", tmp);
        if (lay_out(&r, base, tmp, file, sizeof file, &reads, why, sizeof why) < 0) {
            diag_plain("%s", why);
            status = status_of(LR_RUN_FAILED);
        } else {
            status = rerun(o, exe, file, tmp, rerun_dir, &reads);
        }
        if (status_ok(status))
            status = compare(&r, o->run_dir, rerun_dir);
        remove_tree(tmp);
    }
    free(tmp);
    free(rerun_dir);
    read_dirs_free(&reads);
    recorded_free(&r);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (stop_signal) {
        diag_info("interrupted; the re-run's temporary directory is removed");
        status = status_interrupted(stop_signal);
    }
    return status;
}
