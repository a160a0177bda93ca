/* sweep.c — see sweep.h. Runs are separate processes rather than threads
 * so that each one is exactly `lrc FILE --set ...` (same checking, same
 * seeding, same run directory), a crash or a NaN in one cannot take the
 * others down, and an interrupted run can be resumed on its own. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decimal.h"
#include "diag.h"
#include "dist.h"
#include "fileio.h"
#include "json.h"
#include "report.h"

/* More combinations than this is almost certainly a mistake (each one is a
 * process and a directory); say so instead of starting them. */
#define SWEEP_MAX_RUNS 100000
/* run.json is a few kilobytes; anything near this is not ours. */
#define SWEEP_MAX_RUN_JSON (16u << 20)

/* ======================================================================
 * State
 * ====================================================================== */

typedef enum SweepState {
    RUN_PENDING,     /* not started (an interrupt came first) */
    RUN_RUNNING,
    RUN_DONE,        /* exited 0; results read after every run ended */
    RUN_FAILED,
    RUN_INTERRUPTED, /* stopped by SIGINT/SIGTERM, checkpointed */
} SweepState;

typedef struct SweepMetric {
    char *name;
    double value;
    int has_value; /* run.json writes a non-finite number as null */
} SweepMetric;

typedef struct SweepRun {
    int number; /* from 1, in combination order */
    SweepState state;
    pid_t pid;
    char *dir;
    char outcome[64];  /* FAILED: "exit 1", "signal 9", "no run.json" */
    char detail[512];  /* FAILED: the line repeated on stderr */
    SweepMetric *metrics;
    int metric_count;
    double key; /* the sort key, when has_key */
    int has_key;
    double started; /* monotonic seconds, for the progress line */
} SweepRun;

typedef struct Sweep {
    const LrSweepAxis *axes;
    int axis_count;
    const LrSweepOptions *options;
    char *root;       /* out_dir, or the temporary directory */
    int ruleset;      /* Landlock ruleset each child restricts itself with, or -1 */
    int temporary;    /* root is ours to remove */
    SweepRun *runs;
    int run_count;
    int running;
    int ended;        /* runs that ran and ended (or could not start) */
    int null_fd;      /* /dev/null, every child's stdin */
    char **env;       /* every child's environment: ours without mpirun's variables */
    bool gathering;   /* rank 0 reads the other ranks' runs: no line per run */
    int wake[2];      /* the signal pipe: read end, write end */
    int signal;       /* the first SIGINT/SIGTERM received, or 0 */
    struct sigaction old_int, old_term, old_chld;
} Sweep;

/* What the runs' table and the directory names hold (the runs may be
 * NULL: none were made yet). */
static void sweep_free(Sweep *s)
{
    for (int i = 0; s->runs && i < s->run_count; i++) {
        for (int m = 0; m < s->runs[i].metric_count; m++)
            free(s->runs[i].metrics[m].name);
        free(s->runs[i].metrics);
        free(s->runs[i].dir);
    }
    free(s->runs);
    free(s->root);
    free(s->env);
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static char *text_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The value run (0-based) takes on axis a: the last axis varies fastest. */
static const char *sweep_value(const Sweep *s, int run, int a)
{
    int index = run;
    for (int b = s->axis_count - 1; b > a; b--)
        index /= s->axes[b].count;
    return s->axes[a].values[index % s->axes[a].count];
}

/* A value as shown in the table and sweep.csv: an expression may span
 * lines inside its parentheses, so whitespace runs become one space. */
static char *display_value(const char *text)
{
    size_t n = strlen(text);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    int space = 0;
    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            space = 1;
            continue;
        }
        if (space && k > 0)
            out[k++] = ' ';
        space = 0;
        out[k++] = *p;
    }
    out[k] = '\0';
    return out;
}

/* ======================================================================
 * Signals
 * ====================================================================== */

/* The one piece of global state: a signal handler can reach nothing else.
 * Handlers write the signal's number as one byte into the pipe whose write
 * end this is, and the driver polls the read end. Unlike sigsuspend, this
 * wakes the driver whichever thread the kernel picks to run the handler
 * (a BLAS library may have started threads that do not block signals). */
static volatile sig_atomic_t wake_fd = -1;

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char byte = (unsigned char)sig;
    if (wake_fd >= 0) {
        ssize_t n = write(wake_fd, &byte, 1); /* a full pipe already wakes */
        (void)n;
    }
    errno = saved;
}

static int set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    int fd_fl = fcntl(fd, F_GETFD);
    if (fl < 0 || fd_fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, fd_fl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

static int signals_catch(Sweep *s)
{
    if (pipe(s->wake) < 0)
        return -1;
    if (set_flags(s->wake[0]) < 0 || set_flags(s->wake[1]) < 0) {
        close(s->wake[0]);
        close(s->wake[1]);
        s->wake[0] = s->wake[1] = -1;
        return -1;
    }
    wake_fd = s->wake[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* SA_RESTART: file I/O elsewhere in the driver should not see EINTR;
     * poll() is never restarted, which is what wakes the driver. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &s->old_int);
    sigaction(SIGTERM, &sa, &s->old_term);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, &s->old_chld);
    return 0;
}

static void signals_restore(Sweep *s)
{
    if (s->wake[0] < 0)
        return;
    sigaction(SIGINT, &s->old_int, NULL);
    sigaction(SIGTERM, &s->old_term, NULL);
    sigaction(SIGCHLD, &s->old_chld, NULL);
    wake_fd = -1;
    close(s->wake[0]);
    close(s->wake[1]);
    s->wake[0] = s->wake[1] = -1;
}

/* Passes sig on to every running child; they checkpoint and exit. */
static void signals_forward(Sweep *s, int sig)
{
    if (!s->signal)
        s->signal = sig;
    for (int i = 0; i < s->run_count; i++)
        if (s->runs[i].state == RUN_RUNNING)
            kill(s->runs[i].pid, sig);
}

/* Sleeps until a signal arrives (a child ended, or an interrupt), or for
 * at most timeout_ms, and acts on the interrupts. */
static void signals_wait(Sweep *s, int timeout_ms)
{
    struct pollfd p = {.fd = s->wake[0], .events = POLLIN, .revents = 0};
    if (poll(&p, 1, timeout_ms) <= 0)
        return;
    unsigned char bytes[64];
    ssize_t n;
    while ((n = read(s->wake[0], bytes, sizeof bytes)) > 0)
        for (ssize_t i = 0; i < n; i++)
            if (bytes[i] == SIGINT || bytes[i] == SIGTERM)
                signals_forward(s, bytes[i]);
}

/* ======================================================================
 * Children
 * ====================================================================== */

/* Copies src into dst[size], cutting it short if need be: these are one-line
 * messages, and a cut one still says what went wrong. */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void run_fail(SweepRun *r, const char *outcome, const char *detail)
{
    r->state = RUN_FAILED;
    copy_text(r->outcome, sizeof r->outcome, outcome);
    copy_text(r->detail, sizeof r->detail, detail);
}

/* argv for run (0-based): EXE FILE --set N=V ... extra... --out DIR --quiet.
 * The strings this allocates are the --set pairs, from argv[3] on every
 * second slot; argv_free releases them. */
static char **argv_build(const Sweep *s, int run, const char *dir)
{
    const LrSweepOptions *o = s->options;
    int extra = 0;
    while (o->extra && o->extra[extra])
        extra++;
    size_t count = 2 + 2 * (size_t)s->axis_count + (size_t)extra + 3 + 1;
    char **argv = calloc(count, sizeof *argv);
    if (!argv)
        return NULL;
    size_t k = 0;
    /* execv takes char *const[] for historical reasons; it does not write. */
    argv[k++] = (char *)o->exe;
    argv[k++] = (char *)o->file;
    for (int a = 0; a < s->axis_count; a++) {
        argv[k++] = (char *)"--set";
        argv[k] = text_printf("%s=%s", s->axes[a].name, sweep_value(s, run, a));
        if (!argv[k++]) {
            for (size_t j = 3; j < k; j += 2)
                free(argv[j]);
            free(argv);
            return NULL;
        }
    }
    for (int e = 0; e < extra; e++)
        argv[k++] = (char *)o->extra[e];
    argv[k++] = (char *)"--out";
    argv[k++] = (char *)dir;
    argv[k++] = (char *)"--quiet";
    argv[k] = NULL;
    return argv;
}

static void argv_free(const Sweep *s, char **argv)
{
    if (!argv)
        return;
    for (int a = 0; a < s->axis_count; a++)
        free(argv[3 + 2 * a]);
    free(argv);
}

/* Creates name anew in the run directory (dir_fd): whatever was there
 * under that name (a symlink, a hard link to another file, a fifo) is
 * unlinked, never followed, truncated or written through. */
static int open_output(int dir_fd, const char *dir, const char *name, char *why,
                       size_t why_size)
{
    if (unlinkat(dir_fd, name, 0) != 0 && errno != ENOENT && errno != EISDIR) {
        snprintf(why, why_size, "cannot replace '%s/%s': %s", dir, name, strerror(errno));
        return -1;
    }
    int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        snprintf(why, why_size, "cannot create '%s/%s': %s", dir, name, strerror(errno));
    return fd;
}

/* Starts run (0-based). Everything that can fail with a message happens
 * here, before fork: the child only redirects and execs (a BLAS library may
 * have threads, so the child must not allocate). */
static void run_start(Sweep *s, int run)
{
    SweepRun *r = &s->runs[run];
    char why[PATH_MAX + 128];
    r->dir = text_printf("%s/run-%03d", s->root, r->number);
    if (!r->dir) {
        run_fail(r, "out of memory", "out of memory");
        return;
    }
    if (file_make_dirs(r->dir, why, sizeof why) < 0) {
        run_fail(r, "no run directory", why);
        return;
    }
    /* The run directory itself, not where a symlink put there leads. */
    int dir_fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir_fd < 0) {
        snprintf(why, sizeof why, "cannot open '%s': %s", r->dir,
                 errno == ELOOP || errno == ENOTDIR ? "it is not a directory (a symbolic link?)"
                                                    : strerror(errno));
        run_fail(r, "no run directory", why);
        return;
    }
    int out = open_output(dir_fd, r->dir, "stdout.txt", why, sizeof why);
    int err = out < 0 ? -1 : open_output(dir_fd, r->dir, "stderr.txt", why, sizeof why);
    /* An exit.txt left by an earlier sweep would tell collect that this
     * run has ended. */
    if (err >= 0 && unlinkat(dir_fd, SWEEP_EXIT_FILE, 0) != 0 && errno != ENOENT) {
        snprintf(why, sizeof why, "cannot replace '%s/%s': %s", r->dir, SWEEP_EXIT_FILE,
                 strerror(errno));
        close(err);
        close(out);
        out = err = -1;
    }
    close(dir_fd);
    char **argv = err < 0 ? NULL : argv_build(s, run, r->dir);
    char *exec_error = argv ? text_printf("lrc: error: cannot execute '%s'\n", s->options->exe)
                            : NULL;
    if (!exec_error) {
        if (out >= 0 && err >= 0)
            snprintf(why, sizeof why, "out of memory");
        if (out >= 0)
            close(out);
        if (err >= 0)
            close(err);
        argv_free(s, argv);
        run_fail(r, "not started", why);
        return;
    }
    fflush(NULL); /* nothing buffered may be written twice */
    pid_t pid = fork();
    if (pid == 0) {
        /* A process group of its own: a terminal's Ctrl-C, or mpirun's
         * SIGTERM to a rank's group, reaches the run only as the driver
         * passes it on. Twice (directly, then passed on) would make the
         * run give up its checkpoint (a second signal ends it at once). */
        setpgid(0, 0);
        sigaction(SIGINT, &s->old_int, NULL);
        sigaction(SIGTERM, &s->old_term, NULL);
        sigaction(SIGCHLD, &s->old_chld, NULL);
        if (dup2(s->null_fd, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(127);
        if (s->ruleset >= 0 && sandbox_restrict(s->ruleset) < 0) {
            static const char msg[] = "lrc: error: cannot restrict the run with Landlock\n";
            ssize_t n = write(2, msg, sizeof msg - 1);
            (void)n;
            _exit(127);
        }
        execve(s->options->exe, argv, s->env);
        ssize_t n = write(2, exec_error, strlen(exec_error));
        (void)n;
        _exit(127);
    }
    int fork_errno = errno;
    if (pid > 0)
        setpgid(pid, pid); /* (also here: whichever of the two comes first) */
    close(out);
    close(err);
    argv_free(s, argv);
    free(exec_error);
    if (pid < 0) {
        snprintf(why, sizeof why, "cannot start a process: %s", strerror(fork_errno));
        run_fail(r, "not started", why);
        return;
    }
    r->pid = pid;
    r->started = now_seconds();
    r->state = RUN_RUNNING;
    s->running++;
}

/* The first line of the run's stderr.txt (what a failing lrc says first:
 * its diagnostic's headline), or "" when there is none. */
static void first_stderr_line(const SweepRun *r, char *out, size_t size)
{
    out[0] = '\0';
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/stderr.txt", r->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(out, (int)size, f))
        out[strcspn(out, "\r\n")] = '\0';
    else
        out[0] = '\0';
    fclose(f);
}

/* Sets r's state from how its process ended: an exit code, or a signal
 * (code -1). */
static void run_outcome(SweepRun *r, int code, int sig)
{
    if (code == 0) {
        r->state = RUN_DONE;
        return;
    }
    /* A run may also have been stopped by a signal sent to it alone. */
    if (code == 128 + SIGINT || code == 128 + SIGTERM || sig == SIGINT || sig == SIGTERM) {
        r->state = RUN_INTERRUPTED;
        return;
    }
    char line[sizeof r->detail];
    first_stderr_line(r, line, sizeof line);
    char outcome[32];
    if (sig)
        snprintf(outcome, sizeof outcome, "signal %d", sig);
    else
        snprintf(outcome, sizeof outcome, "exit %d", code);
    run_fail(r, outcome, line);
}

/* A run's process has ended: its state, and RUNDIR/exit.txt, which tells
 * `lrc collect` how it ended ("exit N" or "signal N"). */
static void run_ended(Sweep *s, SweepRun *r, int status)
{
    s->running--;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    run_outcome(r, code, sig);
    char path[PATH_MAX], text[32], why[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/%s", r->dir, SWEEP_EXIT_FILE);
    int n = sig ? snprintf(text, sizeof text, "signal %d\n", sig)
                : snprintf(text, sizeof text, "exit %d\n", code);
    if (file_write_atomic(path, text, (size_t)n, why, sizeof why) < 0 && r->state == RUN_DONE)
        run_fail(r, "no exit.txt", why);
}

static void run_finished(Sweep *s, SweepRun *r);

/* Collects every child that has ended; returns how many did. */
static int runs_reap(Sweep *s)
{
    int reaped = 0;
    for (int i = 0; i < s->run_count; i++) {
        SweepRun *r = &s->runs[i];
        if (r->state != RUN_RUNNING)
            continue;
        int status;
        pid_t got = waitpid(r->pid, &status, WNOHANG);
        if (got == r->pid) {
            run_ended(s, r, status);
            run_finished(s, r);
            reaped++;
        } else if (got < 0 && errno != EINTR) {
            s->running--;
            run_fail(r, "lost", "the process could not be waited for");
            run_finished(s, r);
            reaped++;
        }
    }
    return reaped;
}

/* Keeps up to jobs children running until every run has ended or an
 * interrupt stopped the starting. */
static void runs_drive(Sweep *s)
{
    int jobs = s->options->jobs < 1 ? 1 : s->options->jobs;
    int only = s->options->only_run;
    /* Under mpirun, this rank's share: every ranks-th run from its own. */
    int step = s->options->ranks > 1 ? s->options->ranks : 1;
    int next = only >= 0 ? only : step > 1 ? s->options->rank : 0;
    int end = only >= 0 ? only + 1 : s->run_count;
    for (;;) {
        while (!s->signal && next < end && s->running < jobs) {
            run_start(s, next);
            if (s->runs[next].state == RUN_FAILED)
                run_finished(s, &s->runs[next]);
            next += step;
        }
        if (runs_reap(s) > 0)
            continue;
        if (s->running == 0 && (s->signal || next >= end))
            return;
        signals_wait(s, 1000); /* the timeout is only a safety net */
    }
}

/* ======================================================================
 * Results
 * ====================================================================== */

/* "rate=0.1, units=2": run's (0-based) values, for stderr. */
static void run_values_text(const Sweep *s, int run, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int a = 0; a < s->axis_count && used < size; a++) {
        char *v = display_value(sweep_value(s, run, a));
        int n = snprintf(out + used, size - used, "%s%s=%s", a ? ", " : "", s->axes[a].name,
                         v ? v : "?");
        used += n > 0 ? (size_t)n : 0;
        free(v);
    }
}

/* Appends object's numbers (and nulls) to r->metrics, named prefix:KEY
 * when there is a prefix. Returns 0, or -1 when out of memory. */
static int run_add_metrics(SweepRun *r, const LrJson *object, const char *prefix)
{
    for (const LrJson *m = object->first; m; m = m->next) {
        if (m->kind != LR_JSON_NUMBER && m->kind != LR_JSON_NULL)
            continue;
        SweepMetric *out = &r->metrics[r->metric_count];
        out->name = prefix ? text_printf("%s:%s", prefix, m->key) : text_printf("%s", m->key);
        if (!out->name)
            return -1;
        out->has_value = m->kind == LR_JSON_NUMBER;
        out->value = m->number;
        r->metric_count++;
    }
    return 0;
}

/* Reads RUNDIR/run.json's "final" object and its evaluate results into
 * r->metrics. */
static void run_read_final(SweepRun *r)
{
    char path[PATH_MAX], why[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/run.json", r->dir);
    size_t size;
    char *text = file_read_all(path, SWEEP_MAX_RUN_JSON, &size, why, sizeof why);
    if (!text) {
        run_fail(r, "no run.json", why);
        return;
    }
    char reason[256];
    LrJson *root = json_parse(text, size, reason, sizeof reason);
    free(text);
    const LrJson *final = root ? json_get(root, "final") : NULL;
    if (!final || final->kind != LR_JSON_OBJECT) {
        if (root)
            snprintf(reason, sizeof reason, "no \"final\" object");
        char message[sizeof path + sizeof reason + 8];
        snprintf(message, sizeof message, "'%s': %s", path, reason);
        run_fail(r, "bad run.json", message);
        json_free(root);
        return;
    }
    /* The final numbers, then each evaluate's as ON:NAME (d.test:loss). */
    const LrJson *evaluates = json_get(root, "evaluate");
    size_t capacity = (size_t)final->count + 1;
    if (evaluates && evaluates->kind == LR_JSON_ARRAY)
        for (const LrJson *e = evaluates->first; e; e = e->next)
            capacity += e->kind == LR_JSON_OBJECT ? (size_t)e->count : 0;
    else
        evaluates = NULL;
    r->metrics = calloc(capacity, sizeof *r->metrics);
    if (r->metrics && run_add_metrics(r, final, NULL) == 0)
        for (const LrJson *e = evaluates ? evaluates->first : NULL; e; e = e->next) {
            const LrJson *on = e->kind == LR_JSON_OBJECT ? json_get(e, "on") : NULL;
            if (on && on->kind == LR_JSON_STRING && run_add_metrics(r, e, on->string) < 0)
                break;
        }
    json_free(root);
}

static const SweepMetric *run_metric(const SweepRun *r, const char *name)
{
    for (int i = 0; i < r->metric_count; i++)
        if (strcmp(r->metrics[i].name, name) == 0)
            return &r->metrics[i];
    return NULL;
}

static int run_was_started(const SweepRun *r)
{
    return r->state != RUN_PENDING;
}

/* The metric columns: loss, val_loss when any run has it, then the others
 * in the order the runs' run.json files list them. Returns the count; the
 * names point into the runs. */
static int metric_columns(const Sweep *s, const char **names, int capacity)
{
    int n = 0;
    names[n++] = "loss";
    for (int i = 0; i < s->run_count; i++)
        if (s->runs[i].state == RUN_DONE && run_metric(&s->runs[i], "val_loss")) {
            names[n++] = "val_loss";
            break;
        }
    for (int i = 0; i < s->run_count; i++) {
        const SweepRun *r = &s->runs[i];
        if (r->state != RUN_DONE)
            continue;
        for (int m = 0; m < r->metric_count; m++) {
            int seen = 0;
            for (int c = 0; c < n && !seen; c++)
                seen = strcmp(names[c], r->metrics[m].name) == 0;
            if (!seen && n < capacity)
                names[n++] = r->metrics[m].name;
        }
    }
    return n;
}

/* Successful runs first (by key, missing keys after), then failed and
 * interrupted ones; ties by run number, so the order is total. */
static int run_rank(const SweepRun *r)
{
    if (r->state != RUN_DONE)
        return 2;
    return r->has_key ? 0 : 1;
}

static int runs_compare(const void *pa, const void *pb)
{
    const SweepRun *a = *(const SweepRun *const *)pa, *b = *(const SweepRun *const *)pb;
    int ra = run_rank(a), rb = run_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra == 0 && a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->number < b->number ? -1 : a->number > b->number;
}

/* Sets every run's sort key: val_loss if every successful run has one,
 * else loss. */
static void runs_set_keys(Sweep *s)
{
    int done = 0, with_val = 0;
    for (int i = 0; i < s->run_count; i++) {
        const SweepRun *r = &s->runs[i];
        if (r->state != RUN_DONE)
            continue;
        done++;
        const SweepMetric *v = run_metric(r, "val_loss");
        with_val += v && v->has_value;
    }
    const char *key = done > 0 && with_val == done ? "val_loss" : "loss";
    for (int i = 0; i < s->run_count; i++) {
        SweepRun *r = &s->runs[i];
        const SweepMetric *m = run_metric(r, key);
        r->has_key = m && m->has_value;
        r->key = r->has_key ? m->value : 0;
    }
}

/* The status a failed or interrupted run shows instead of its numbers. */
static void run_status_text(const SweepRun *r, char *out, size_t size)
{
    if (r->state == RUN_INTERRUPTED)
        snprintf(out, size, "interrupted");
    else
        snprintf(out, size, "failed (%s)", r->outcome);
}

/* A run has ended (or could not start): its results are read, and unless
 * quiet a line on stderr says how it went and how many runs are left:
 * `run 2/6 (rate=0.05, units=2): val_loss 0.397682 in 1.2 s; 4 left`. */
static void run_finished(Sweep *s, SweepRun *r)
{
    s->ended++;
    if (r->state == RUN_DONE)
        run_read_final(r);
    if (s->options->quiet || s->gathering)
        return;
    char values[4096], result[160];
    run_values_text(s, r->number - 1, values, sizeof values);
    const SweepMetric *m = run_metric(r, "val_loss");
    if (!m || !m->has_value)
        m = run_metric(r, "loss");
    if (r->state != RUN_DONE)
        run_status_text(r, result, sizeof result);
    else if (m && m->has_value)
        snprintf(result, sizeof result, "%s %.6f", m->name, m->value);
    else
        snprintf(result, sizeof result, "no loss");
    double seconds = r->started > 0 ? now_seconds() - r->started : 0;
    /* How many are left is known to the sweep as a whole only. */
    if (s->options->only_run >= 0 || s->options->ranks > 1)
        diag_info("run %d/%d (%s): %s in %.1f s", r->number, s->run_count, values, result,
                  seconds);
    else
        diag_info("run %d/%d (%s): %s in %.1f s; %d left", r->number, s->run_count, values,
                  result, seconds, s->run_count - s->ended);
}

/* ======================================================================
 * The table (stdout) and sweep.csv
 * ====================================================================== */

/* A grid of cells, row 0 the header. A NULL cell is empty. A row's
 * status cell (failed/interrupted) may run past its column: it does not
 * widen it, since nothing follows it on the line. */
typedef struct Grid {
    int rows, cols;
    char **cells;
    int *overflows; /* per row: the column whose cell may overflow, or -1 */
} Grid;

static void grid_free(Grid *g)
{
    if (g->cells)
        for (int i = 0; i < g->rows * g->cols; i++)
            free(g->cells[i]);
    free(g->cells);
    free(g->overflows);
}

/* Fills the grid for runs (in the given order). exact: numbers that read
 * back to the same double, and a status column (for sweep.csv); otherwise
 * %.6f and the status in place of the numbers (the table). Returns 0, or
 * -1 when out of memory. */
static int grid_fill(Grid *g, const Sweep *s, SweepRun *const *order, int count, int exact)
{
    const char *metrics[256];
    int metric_count = metric_columns(s, metrics, 256);
    g->rows = count + 1;
    g->cols = 1 + s->axis_count + metric_count + (exact ? 1 : 0);
    g->cells = calloc((size_t)g->rows * (size_t)g->cols, sizeof *g->cells);
    g->overflows = calloc((size_t)g->rows, sizeof *g->overflows);
    if (!g->cells || !g->overflows)
        return -1;
    int failed = 0;
    char **cell = g->cells;
    *cell++ = text_printf("run");
    for (int a = 0; a < s->axis_count; a++)
        *cell++ = text_printf("%s", s->axes[a].name);
    for (int m = 0; m < metric_count; m++)
        *cell++ = text_printf("%s", metrics[m]);
    if (exact)
        *cell++ = text_printf("status");
    g->overflows[0] = -1;
    for (int row = 1; row <= count; row++) {
        const SweepRun *r = order[row - 1];
        cell = g->cells + (size_t)row * (size_t)g->cols;
        g->overflows[row] = -1;
        *cell++ = text_printf("%d", r->number);
        for (int a = 0; a < s->axis_count; a++)
            *cell++ = display_value(sweep_value(s, r->number - 1, a));
        char status[96];
        run_status_text(r, status, sizeof status);
        if (r->state != RUN_DONE && !exact) {
            g->overflows[row] = 1 + s->axis_count;
            *cell = text_printf("%s", status);
            failed |= !*cell;
            continue;
        }
        for (int m = 0; m < metric_count; m++) {
            const SweepMetric *v = r->state == RUN_DONE ? run_metric(r, metrics[m]) : NULL;
            if (!v || !v->has_value) {
                *cell++ = text_printf(exact ? "" : "-");
            } else if (exact) {
                char text[DECIMAL_SHORTEST_SIZE];
                decimal_shortest(v->value, text);
                *cell++ = text_printf("%s", text);
            } else {
                char text[512];
                report_fixed(text, sizeof text, v->value, 6);
                *cell++ = text_printf("%s", text);
            }
        }
        if (exact)
            *cell++ = text_printf("%s", r->state == RUN_DONE ? "ok" : status);
    }
    for (int i = 0; i < g->rows * g->cols && !failed; i++) {
        int row = i / g->cols, col = i % g->cols;
        int expected = !(row > 0 && g->overflows[row] >= 0 && col > g->overflows[row]);
        failed = expected && !g->cells[i];
    }
    return failed ? -1 : 0;
}

static void table_print(const Grid *g)
{
    int *width = calloc((size_t)g->cols, sizeof *width);
    if (!width)
        return;
    for (int row = 0; row < g->rows; row++)
        for (int col = 0; col < g->cols; col++) {
            const char *c = g->cells[row * g->cols + col];
            int w = c ? (int)strlen(c) : 0;
            if (col != g->overflows[row] && w > width[col])
                width[col] = w;
        }
    for (int row = 0; row < g->rows; row++) {
        char **cells = g->cells + row * g->cols;
        int last = g->cols - 1;
        while (last > 0 && (!cells[last] || !*cells[last]))
            last--;
        report_row((const char *const *)cells, width, last + 1);
    }
    report_flush();
    free(width);
}

/* One CSV field, quoted when it holds a comma, a quote or a line break. */
static void csv_field(LrBuffer *b, const char *text)
{
    if (!text[strcspn(text, ",\"\r\n")]) {
        buffer_append(b, text, strlen(text));
        return;
    }
    buffer_append(b, "\"", 1);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            buffer_append(b, "\"", 1); /* a quote is written twice */
        buffer_append(b, p, 1);
    }
    buffer_append(b, "\"", 1);
}

static int csv_write(const Grid *g, const char *dir)
{
    LrBuffer b = {0};
    for (int row = 0; row < g->rows; row++) {
        for (int col = 0; col < g->cols; col++) {
            if (col > 0)
                buffer_append(&b, ",", 1);
            const char *c = g->cells[row * g->cols + col];
            csv_field(&b, c ? c : "");
        }
        buffer_append(&b, "\n", 1);
    }
    char path[PATH_MAX], why[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    int status = 0;
    if (b.failed) {
        diag_plain("cannot write '%s': out of memory", path);
        status = -1;
    } else if (file_write_atomic(path, b.data, b.length, why, sizeof why) < 0) {
        diag_plain("%s", why);
        status = -1;
    }
    buffer_free(&b);
    return status;
}

/* A failed run's line on stderr: its values, how it failed, and the first
 * line of its stderr. */
static void run_report_failure(const Sweep *s, const SweepRun *r)
{
    char values[4096];
    run_values_text(s, r->number - 1, values, sizeof values);
    diag_plain("run %d (%s) failed (%s)%s%s", r->number, values, r->outcome,
               r->detail[0] ? ": " : "", r->detail);
}

/* The table on stdout (sorted), sweep.csv in out_dir (run order), and a
 * line on stderr per failed run. Returns 0, or -1 when a file could not
 * be written or memory ran out. */
static int sweep_report(Sweep *s)
{
    runs_set_keys(s);
    SweepRun **order = calloc((size_t)s->run_count + 1, sizeof *order);
    if (!order) {
        diag_plain("out of memory");
        return -1;
    }
    int count = 0;
    for (int i = 0; i < s->run_count; i++)
        if (run_was_started(&s->runs[i]))
            order[count++] = &s->runs[i];
    int status = 0;
    if (s->options->out_dir) {
        Grid csv = {0};
        if (grid_fill(&csv, s, order, count, 1) < 0) {
            diag_plain("out of memory");
            status = -1;
        } else if (csv_write(&csv, s->root) < 0) {
            status = -1;
        }
        grid_free(&csv);
    }
    qsort(order, (size_t)count, sizeof *order, runs_compare);
    Grid table = {0};
    if (grid_fill(&table, s, order, count, 0) < 0) {
        diag_plain("out of memory");
        status = -1;
    } else {
        table_print(&table);
    }
    grid_free(&table);
    for (int i = 0; i < s->run_count; i++)
        if (s->runs[i].state == RUN_FAILED)
            run_report_failure(s, &s->runs[i]);
    free(order);
    return status;
}

/* ======================================================================
 * Directories, continuations, counts
 * ====================================================================== */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0; /* remove as much as possible */
}

/* Appends each word (up to a NULL) to line, a space before each, as the
 * shell reads it back. */
static void shell_words(LrBuffer *line, const char *word, ...)
{
    va_list ap;
    va_start(ap, word);
    for (; word; word = va_arg(ap, const char *)) {
        buffer_append(line, " ", 1);
        buffer_shell_word(line, word);
    }
    va_end(ap);
}

/* After an interruption, the command that continues each run that did
 * not finish: --resume for one that left a checkpoint, else the run as
 * the sweep would have started it. Runs not started are many when the
 * sweep is large; the first few show the pattern. */
static void continuations_print(const Sweep *s)
{
    enum { SHOWN = 20 };
    int shown = 0, hidden = 0;
    for (int i = 0; i < s->run_count; i++) {
        const SweepRun *r = &s->runs[i];
        if (r->state == RUN_DONE || r->state == RUN_FAILED ||
            (s->options->only_run >= 0 && r->state == RUN_PENDING))
            continue;
        char dir[PATH_MAX], checkpoint[PATH_MAX + 32];
        snprintf(dir, sizeof dir, "%s/run-%03d", s->root, r->number);
        snprintf(checkpoint, sizeof checkpoint, "%s/checkpoint.safetensors", dir);
        if (shown == SHOWN) {
            hidden++;
            continue;
        }
        shown++;
        LrBuffer line = {0};
        buffer_append(&line, "lrc", 3);
        if (r->state == RUN_INTERRUPTED && access(checkpoint, F_OK) == 0) {
            shell_words(&line, "--resume", dir, NULL);
        } else {
            shell_words(&line, s->options->file, NULL);
            for (int a = 0; a < s->axis_count; a++) {
                char *v = display_value(sweep_value(s, i, a));
                char *set = v ? text_printf("%s=%s", s->axes[a].name, v) : NULL;
                shell_words(&line, "--set", set ? set : "?", NULL);
                free(set);
                free(v);
            }
            for (int e = 0; s->options->extra && s->options->extra[e]; e++)
                shell_words(&line, s->options->extra[e], NULL);
            shell_words(&line, "--out", dir, NULL);
        }
        diag_info("  %s", line.failed ? "(out of memory)" : line.data);
        buffer_free(&line);
    }
    if (hidden)
        diag_info("  ... and %d more run%s like these", hidden, hidden == 1 ? "" : "s");
}

/* Makes s->root: out_dir (created if missing) or a new temporary directory. */
static int root_make(Sweep *s)
{
    char why[PATH_MAX + 128];
    if (s->options->out_dir) {
        s->root = text_printf("%s", s->options->out_dir);
        if (!s->root || file_make_dirs(s->root, why, sizeof why) < 0) {
            diag_plain("%s", s->root ? why : "out of memory");
            return -1;
        }
        return 0;
    }
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    s->root = text_printf("%s/lrc-sweep-XXXXXX", tmp);
    if (!s->root || !mkdtemp(s->root)) {
        diag_plain("cannot create a temporary directory in '%s': %s", tmp,
                   s->root ? strerror(errno) : "out of memory");
        return -1;
    }
    s->temporary = 1;
    return 0;
}

/* How many combinations, or -1 (with a message) when there are none or
 * too many. */
static int runs_count(const LrSweepAxis *axes, int axis_count)
{
    long long total = 1;
    for (int a = 0; a < axis_count; a++) {
        if (axes[a].count < 1 || !axes[a].values) {
            diag_plain("sweep '%s' has no values", axes[a].name);
            return -1;
        }
        total *= axes[a].count;
        if (total > SWEEP_MAX_RUNS) {
            diag_plain("the sweeps make too many runs (limit is %d)", SWEEP_MAX_RUNS);
            return -1;
        }
    }
    return (int)total;
}

int sweep_run_count(const LrSweepAxis *axes, int axis_count)
{
    return runs_count(axes, axis_count);
}

/* ======================================================================
 * The sweep's record (sweep.json) and collect
 * ====================================================================== */

/* sweep.json's text: the experiment (its real path), the run count and
 * each sweep's values, all a run's table needs besides the runs' own
 * files. The same sweep gives the same bytes, whoever writes it. */
static void record_text(const LrSweepAxis *axes, int axis_count, int run_count,
                        const char *file, LrBuffer *out)
{
    char real[PATH_MAX];
    LrJsonWriter w = {.out = out, .indent = 2};
    json_begin_object(&w);
    json_key(&w, "file");
    json_write_string(&w, realpath(file, real) ? real : file);
    json_key(&w, "runs");
    json_write_integer(&w, run_count);
    json_key(&w, "sweeps");
    json_begin_array(&w);
    for (int a = 0; a < axis_count; a++) {
        json_begin_object(&w);
        json_key(&w, "name");
        json_write_string(&w, axes[a].name);
        json_key(&w, "values");
        json_begin_array(&w);
        for (int v = 0; v < axes[a].count; v++)
            json_write_string(&w, axes[a].values[v]);
        json_end_array(&w);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
    buffer_append(out, "\n", 1);
}

int sweep_record(const LrSweepAxis *axes, int axis_count, const char *file, const char *dir,
                 bool replace)
{
    int run_count = runs_count(axes, axis_count);
    if (run_count < 0)
        return -1;
    LrBuffer text = {0};
    record_text(axes, axis_count, run_count, file, &text);
    char path[PATH_MAX], why[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/%s", dir, SWEEP_RECORD_FILE);
    int status = 0;
    size_t size;
    char *old = replace ? NULL : file_read_all(path, SWEEP_MAX_RUN_JSON, &size, why, sizeof why);
    if (text.failed) {
        diag_plain("out of memory");
        status = -1;
    } else if (old && (size != text.length || memcmp(old, text.data, size) != 0)) {
        diag_plain("'%s' holds another sweep (its %s differs): give --force to replace it, or "
                   "another --out",
                   dir, SWEEP_RECORD_FILE);
        status = -1;
    } else if (!old && file_write_atomic(path, text.data, text.length, why, sizeof why) < 0) {
        diag_plain("%s", why);
        status = -1;
    }
    free(old);
    buffer_free(&text);
    return status;
}

/* Reads sweep.json's tree into *axes (one allocation: the axes, then the
 * value pointers; the strings stay in root) and returns the axis count,
 * or -1 with why. */
static int record_read(const LrJson *root, LrSweepAxis **axes, char *why, size_t why_size)
{
    const LrJson *sweeps = root->kind == LR_JSON_OBJECT ? json_get(root, "sweeps") : NULL;
    const LrJson *runs = root->kind == LR_JSON_OBJECT ? json_get(root, "runs") : NULL;
    if (!sweeps || sweeps->kind != LR_JSON_ARRAY || sweeps->count < 1 || !runs ||
        runs->kind != LR_JSON_NUMBER || !runs->is_integer) {
        snprintf(why, why_size, "no \"sweeps\" array or \"runs\" count");
        return -1;
    }
    size_t values = 0;
    for (const LrJson *a = sweeps->first; a; a = a->next) {
        const LrJson *v = a->kind == LR_JSON_OBJECT ? json_get(a, "values") : NULL;
        const LrJson *name = a->kind == LR_JSON_OBJECT ? json_get(a, "name") : NULL;
        if (!v || v->kind != LR_JSON_ARRAY || v->count < 1 || !name ||
            name->kind != LR_JSON_STRING) {
            snprintf(why, why_size, "a sweep without a \"name\" or \"values\"");
            return -1;
        }
        for (const LrJson *e = v->first; e; e = e->next)
            if (e->kind != LR_JSON_STRING) {
                snprintf(why, why_size, "sweep '%s' has a value that is not a string",
                         name->string);
                return -1;
            }
        values += (size_t)v->count;
    }
    *axes = malloc((size_t)sweeps->count * sizeof **axes + values * sizeof(char *));
    if (!*axes) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    const char **slot = (const char **)(void *)(*axes + sweeps->count);
    int n = 0;
    for (const LrJson *a = sweeps->first; a; a = a->next, n++) {
        const LrJson *v = json_get(a, "values");
        (*axes)[n] = (LrSweepAxis){json_get(a, "name")->string, v->count, slot};
        for (const LrJson *e = v->first; e; e = e->next)
            *slot++ = e->string;
    }
    long long total = 1;
    for (int a = 0; a < n && total <= SWEEP_MAX_RUNS; a++)
        total *= (*axes)[a].count;
    if (total != runs->integer) {
        snprintf(why, why_size, "\"runs\" is %lld, but the sweeps make %lld",
                 (long long)runs->integer, total);
        free(*axes);
        *axes = NULL;
        return -1;
    }
    return n;
}

/* How collect finds run r: RUNDIR/exit.txt, then (after "exit 0") its
 * run.json, as the sweep that started it read them. */
static void collect_run(Sweep *s, SweepRun *r)
{
    char path[PATH_MAX], why[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/%s", r->dir, SWEEP_EXIT_FILE);
    size_t size;
    char *text = file_read_all(path, 64, &size, why, sizeof why);
    int code = -1, sig = 0, used = 0;
    if (!text) {
        snprintf(why, sizeof why, "no '%s': the run has not ended, or never started", path);
        run_fail(r, "missing", why);
    } else if ((sscanf(text, "exit %d\n%n", &code, &used) == 1 ||
                sscanf(text, "signal %d\n%n", &sig, &used) == 1) &&
               (size_t)used == size && code >= -1 && code <= 255 && sig >= 0) {
        run_outcome(r, code, sig);
    } else {
        snprintf(why, sizeof why, "'%s' says neither 'exit N' nor 'signal N'", path);
        run_fail(r, "bad exit.txt", why);
    }
    free(text);
    run_finished(s, r);
}

LrStatus sweep_collect(const char *dir)
{
    char path[PATH_MAX], why[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/%s", dir, SWEEP_RECORD_FILE);
    size_t size;
    char *text = file_read_all(path, SWEEP_MAX_RUN_JSON, &size, why, sizeof why);
    if (!text) {
        diag_plain("'%s' holds no sweep to collect (%s): %s", dir, SWEEP_RECORD_FILE, why);
        return status_of(LR_LANGUAGE_ERROR);
    }
    LrJson *root = json_parse(text, size, why, sizeof why);
    free(text);
    LrSweepAxis *axes = NULL;
    int axis_count = root ? record_read(root, &axes, why, sizeof why) : -1;
    if (axis_count < 0) {
        diag_plain("'%s' is not a sweep's record: %s", path, why);
        json_free(root);
        return status_of(LR_LANGUAGE_ERROR);
    }
    const LrJson *file = json_get(root, "file");
    LrSweepOptions options = {.file = file && file->kind == LR_JSON_STRING ? file->string : "?",
                              .out_dir = dir, .quiet = true, .only_run = -1};
    Sweep s = {.axes = axes, .axis_count = axis_count, .options = &options, .null_fd = -1,
               .wake = {-1, -1}, .ruleset = -1};
    s.run_count = runs_count(axes, axis_count);
    s.runs = s.run_count > 0 ? calloc((size_t)s.run_count, sizeof *s.runs) : NULL;
    s.root = text_printf("%s", dir);
    LrStatus status = status_of(LR_RUN_FAILED);
    if (s.run_count < 0) { /* (said) */
        status = status_of(LR_LANGUAGE_ERROR);
        goto done;
    }
    if (!s.runs || !s.root) {
        diag_plain("out of memory");
        goto done;
    }
    bool failed = false;
    for (int i = 0; i < s.run_count; i++) {
        SweepRun *r = &s.runs[i];
        r->number = i + 1;
        r->dir = text_printf("%s/run-%03d", dir, r->number);
        if (!r->dir)
            run_fail(r, "out of memory", "out of memory");
        else
            collect_run(&s, r);
        failed |= r->state != RUN_DONE;
    }
    if (sweep_report(&s) == 0 && !failed)
        status = status_of(LR_OK);
    /* Its exit.txt says so until the run is started again: a run resumed
     * by hand (--resume) leaves it as it was. */
    for (int i = 0; i < s.run_count; i++)
        if (s.runs[i].state == RUN_INTERRUPTED) {
            char values[4096];
            run_values_text(&s, i, values, sizeof values);
            diag_plain("run %d (%s) was interrupted: run it again with --run-index %d --force",
                       i + 1, values, i);
        }
done:
    sweep_free(&s);
    free(axes);
    json_free(root);
    return status;
}

/* ======================================================================
 * Entry point
 * ====================================================================== */

/* Our environment without the MPI launcher's variables (pointers into
 * environ), for the children: a run is one process, a world of one, even
 * when this sweep is a rank of mpirun's. NULL when out of memory. */
static char **child_environment(void)
{
    extern char **environ;
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = malloc((n + 1) * sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!dist_launcher_variable(environ[i]))
            env[k++] = environ[i];
    env[k] = NULL;
    return env;
}

/* The sweep's directory and record, and what starting children needs.
 * Returns 0, or -1 (said). */
static int sweep_prepare(Sweep *s)
{
    const LrSweepOptions *options = s->options;
    if (root_make(s) < 0)
        return -1;
    /* What `lrc collect` needs; runs of one sweep started one by one
     * (--run-index) agree on it, or the first one's stands. Under mpirun,
     * rank 0 writes it for all. */
    if (!s->temporary && (options->ranks <= 1 || options->rank == 0) &&
        sweep_record(s->axes, s->axis_count, options->file, s->root,
                     options->only_run < 0 || options->force) < 0)
        return -1;
    char why[PATH_MAX + 512];
    if (options->sandbox &&
        (s->ruleset = sandbox_ruleset(options->sandbox, s->root, why, sizeof why)) < 0 &&
        why[0]) {
        diag_plain("%s", why);
        return -1;
    }
    s->env = child_environment();
    s->null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (!s->env || s->null_fd < 0 || signals_catch(s) < 0) {
        diag_plain("cannot prepare to start runs: %s", s->env ? strerror(errno) : "out of memory");
        return -1;
    }
    return 0;
}

/* Once the runs have ended: the table, sweep.csv, a line per failed run,
 * and after an interruption how to continue. */
static LrStatus sweep_conclude(Sweep *s)
{
    bool failed = sweep_report(s) < 0;
    int finished = 0;
    for (int i = 0; i < s->run_count; i++) {
        failed |= s->runs[i].state == RUN_FAILED || s->runs[i].state == RUN_INTERRUPTED;
        finished += s->runs[i].state == RUN_DONE;
    }
    LrStatus status = status_of(failed ? LR_RUN_FAILED : LR_OK);
    if (s->signal) {
        diag_info("sweep interrupted: %d of %d runs finished%s", finished, s->run_count,
                  s->temporary ? "; its runs were in a temporary directory: give the sweep --out "
                                 "DIR to be able to continue them"
                               : "; to continue, run:");
        if (!s->temporary)
            continuations_print(s);
        status = status_interrupted(s->signal);
    }
    return status;
}

/* Under mpirun: this rank runs its share of the runs; when every rank's
 * have ended, rank 0 reads the others' from the shared directory (as
 * collect does) and concludes as the whole sweep would, to the same
 * table and sweep.csv. prepared: sweep_prepare's result. Every rank
 * returns the same status. */
static LrStatus sweep_ranks(Sweep *s, int prepared)
{
    const LrSweepOptions *options = s->options;
    if (prepared == 0)
        runs_drive(s);
    /* Signals stay caught while waiting: mpirun passes a Ctrl-C on to
     * every rank as SIGTERM, which must not end a rank that waits. */
    dist_meet_start();
    while (!dist_meet_done())
        signals_wait(s, 20);
    signals_restore(s);
    /* Which runs any rank started, whether a rank could not start any,
     * and the signal that stopped a rank (the same on every rank). */
    int n = s->run_count;
    double *shared = calloc((size_t)n + 2, sizeof *shared);
    if (!shared) {
        diag_plain("out of memory");
        dist_abort(1);
        return status_of(LR_RUN_FAILED);
    }
    for (int i = 0; i < n; i++)
        shared[i] = run_was_started(&s->runs[i]);
    shared[n] = prepared < 0;
    shared[n + 1] = s->signal;
    dist_max_doubles(shared, n + 2);
    LrStatus status;
    if (shared[n] != 0) {
        status = status_of(LR_LANGUAGE_ERROR); /* (said by that rank) */
    } else if (options->rank == 0) {
        s->signal = (int)shared[n + 1];
        s->gathering = true;
        for (int i = 0; i < n; i++) {
            SweepRun *r = &s->runs[i];
            if (i % options->ranks == 0 || shared[i] == 0)
                continue;
            r->dir = text_printf("%s/run-%03d", s->root, r->number);
            if (!r->dir)
                run_fail(r, "out of memory", "out of memory");
            else
                collect_run(s, r);
        }
        s->gathering = false;
        status = sweep_conclude(s);
    } else {
        status = shared[n + 1] != 0 ? status_interrupted((int)shared[n + 1]) : status_of(LR_OK);
    }
    free(shared);
    return dist_agree(status);
}

LrStatus sweep_run(const LrSweepAxis *axes, int axis_count, const LrSweepOptions *options)
{
    Sweep s = {.axes = axes, .axis_count = axis_count, .options = options,
               .null_fd = -1, .wake = {-1, -1}, .ruleset = -1};
    s.run_count = runs_count(axes, axis_count < 0 ? 0 : axis_count);
    if (s.run_count < 0)
        return status_of(LR_LANGUAGE_ERROR);
    s.runs = calloc((size_t)s.run_count, sizeof *s.runs);
    if (!s.runs) {
        diag_plain("out of memory");
        if (options->ranks > 1)
            dist_abort(1); /* the other ranks would wait for this one */
        return status_of(LR_LANGUAGE_ERROR);
    }
    for (int i = 0; i < s.run_count; i++)
        s.runs[i].number = i + 1;
    LrStatus status = status_of(LR_LANGUAGE_ERROR);
    int prepared = sweep_prepare(&s);
    if (options->ranks > 1) {
        status = sweep_ranks(&s, prepared);
        goto done;
    }
    if (prepared < 0)
        goto done;
    runs_drive(&s);
    signals_restore(&s);
    if (options->only_run >= 0) {
        const SweepRun *r = &s.runs[options->only_run];
        status = status_of(r->state == RUN_DONE ? LR_OK : LR_RUN_FAILED);
        if (r->state == RUN_FAILED)
            run_report_failure(&s, r);
        if (r->state == RUN_INTERRUPTED) {
            diag_info("run %d interrupted; to continue it, run:", r->number);
            continuations_print(&s);
            status = status_interrupted(s.signal ? s.signal : SIGTERM);
        }
        goto done;
    }
    status = sweep_conclude(&s);
done:
    signals_restore(&s);
    if (s.null_fd >= 0)
        close(s.null_fd);
    if (s.ruleset >= 0)
        close(s.ruleset);
    if (s.temporary)
        nftw(s.root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    sweep_free(&s);
    return status;
}
