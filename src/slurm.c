/* slurm.c — see slurm.h. sbatch is run as a program with its arguments
 * (no shell); the one shell is the batch script's, so every word lrc puts
 * there is quoted (buffer_shell_word). */
#define _XOPEN_SOURCE 700
#include "slurm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "fileio.h"
#include "report.h"

/* sbatch --parsable prints "JOBID" or "JOBID;CLUSTER": a line. */
#define SLURM_MAX_REPLY 4096
/* The words of all --slurm-opt together. */
#define SLURM_MAX_WORDS 256

/* Splits opts into blank-separated words: word[i] points into copy (which
 * the caller frees). Returns the count, or -1 when out of memory or there
 * are too many. */
static int opts_words(const char *const *opts, int count, char **copy, const char **word)
{
    size_t size = 1;
    for (int i = 0; i < count; i++)
        size += strlen(opts[i]) + 1;
    char *p = *copy = malloc(size);
    if (!p)
        return -1;
    int n = 0;
    for (int i = 0; i < count; i++) {
        strcpy(p, opts[i]);
        for (char *w = strtok(p, " \t\n"); w; w = strtok(NULL, " \t\n")) {
            if (n == SLURM_MAX_WORDS)
                return -1;
            word[n++] = w;
        }
        p += strlen(opts[i]) + 1;
    }
    return n;
}

int slurm_check_opts(const char *const *opts, int count, char *why, size_t why_size)
{
    for (int i = 0; i < count; i++) {
        const char *first = opts[i] + strspn(opts[i], " \t\n");
        if (*first != '-') {
            snprintf(why, why_size, "--slurm-opt needs sbatch options (e.g. '--partition=x "
                                    "--time=10'), not '%s'",
                     opts[i]);
            return -1;
        }
        if (strchr(opts[i], '\r')) {
            snprintf(why, why_size, "--slurm-opt cannot hold a carriage return");
            return -1;
        }
    }
    char *copy;
    const char *word[SLURM_MAX_WORDS];
    int n = opts_words(opts, count, &copy, word);
    free(copy);
    if (n < 0) {
        snprintf(why, why_size, "--slurm-opt: more than %d words", SLURM_MAX_WORDS);
        return -1;
    }
    return 0;
}

/* An #SBATCH line's value: as it is, or in double quotes when it holds a
 * blank (sbatch reads quotes in #SBATCH lines). */
static void sbatch_value(LrBuffer *b, const char *text)
{
    if (!text[strcspn(text, " \t")])
        buffer_printf(b, "%s", text);
    else
        buffer_printf(b, "\"%s\"", text);
}

/* The experiment's name without directory and .lr: the jobs' names. */
static void job_name(const char *file, char *out, size_t size)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".lr") == 0)
        n -= 3;
    snprintf(out, size, "lrc-%.*s", (int)n, base);
}

static void script_text(const LrSlurmOptions *o, const char *const *word, int words,
                        LrBuffer *b)
{
    char name[256];
    job_name(o->file, name, sizeof name);
    buffer_printf(b, "#!/bin/sh\n"
                     "# The sweep of %s as a Slurm job array, written by lrc --slurm:\n"
                     "# task I runs run I + 1 of the sweep into %s/run-NNN.\n"
                     "# Submit it with: sbatch %s/sweep.sbatch\n",
                  o->file, o->out_dir, o->out_dir);
    buffer_printf(b, "#SBATCH --job-name=");
    sbatch_value(b, name);
    buffer_printf(b, "\n#SBATCH --array=0-%d\n#SBATCH --output=", o->run_count - 1);
    LrBuffer output = {0};
    buffer_printf(&output, "%s/slurm-%%A_%%a.out", o->out_dir);
    sbatch_value(b, output.failed ? "" : output.data);
    buffer_free(&output);
    /* The user's options after lrc's, so that theirs win (sbatch keeps the
     * last of an option given twice); an option's separate value stays on
     * its line. */
    for (int i = 0; i < words; i++) {
        buffer_printf(b, word[i][0] == '-' ? "\n#SBATCH " : " ");
        sbatch_value(b, word[i]);
    }
    buffer_printf(b, "\nexec");
    buffer_append(b, " ", 1);
    buffer_shell_word(b, o->exe);
    buffer_append(b, " ", 1);
    buffer_shell_word(b, o->file);
    buffer_printf(b, " --run-index \"$SLURM_ARRAY_TASK_ID\"");
    for (int i = 0; o->task_args[i]; i++) {
        buffer_append(b, " ", 1);
        buffer_shell_word(b, o->task_args[i]);
    }
    buffer_printf(b, " --out ");
    buffer_shell_word(b, o->out_dir);
    buffer_append(b, "\n", 1);
}

/* The full path of program on PATH (an executable file), or -1. */
static int find_program(const char *program, char *out, size_t size)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        int n = snprintf(out, size, "%.*s/%s", len ? (int)len : 1, len ? path : ".", program);
        if (n > 0 && (size_t)n < size && access(out, X_OK) == 0)
            return 0;
        path += len + (path[len] == ':');
    }
    return -1;
}

/* Runs argv (argv[0] a full path) with stdin from /dev/null, its stderr
 * ours, and its stdout read into reply[size]. Returns its exit code (128 +
 * N for signal N), or -1 with why when it could not be run. */
static int run_program(char *const *argv, char *reply, size_t size, char *why, size_t why_size)
{
    int pipe_fd[2];
    reply[0] = '\0';
    if (pipe(pipe_fd) < 0) {
        snprintf(why, why_size, "cannot run %s: %s", argv[0], strerror(errno));
        return -1;
    }
    fflush(NULL); /* nothing buffered may be written twice */
    pid_t pid = fork();
    if (pid == 0) {
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(pipe_fd[1], 1) < 0)
            _exit(127);
        close(pipe_fd[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    int fork_errno = errno;
    close(pipe_fd[1]);
    if (pid < 0) {
        close(pipe_fd[0]);
        snprintf(why, why_size, "cannot run %s: %s", argv[0], strerror(fork_errno));
        return -1;
    }
    size_t used = 0;
    for (;;) {
        char chunk[512];
        ssize_t n = read(pipe_fd[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t take = (size_t)n < size - 1 - used ? (size_t)n : size - 1 - used;
        memcpy(reply + used, chunk, take);
        used += take;
    }
    reply[used] = '\0';
    close(pipe_fd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(why, why_size, "cannot wait for %s: %s", argv[0], strerror(errno));
            return -1;
        }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    if (WEXITSTATUS(status) == 127) {
        snprintf(why, why_size, "cannot run %s", argv[0]);
        return -1;
    }
    return WEXITSTATUS(status);
}

/* The job id at the start of sbatch --parsable's reply, or NULL. */
static const char *reply_job_id(char *reply)
{
    size_t n = strspn(reply, "0123456789");
    if (n == 0 || n > 20 || (reply[n] && !strchr(";\n", reply[n])))
        return NULL;
    reply[n] = '\0';
    return reply;
}

/* "sbatch --parsable ...": the job id into id[size], or -1 (said). */
static int submit(char *const *argv, char *id, size_t size, const char *what)
{
    char reply[SLURM_MAX_REPLY], why[PATH_MAX + 64];
    int code = run_program(argv, reply, sizeof reply, why, sizeof why);
    const char *job = code == 0 ? reply_job_id(reply) : NULL;
    if (code < 0)
        diag_plain("%s", why);
    else if (code != 0)
        diag_plain("sbatch refused %s (exit %d)", what, code);
    else if (!job)
        diag_plain("sbatch submitted %s but its reply is not a job id: '%.80s'", what, reply);
    if (!job)
        return -1;
    snprintf(id, size, "%s", job);
    return 0;
}

LrStatus slurm_submit(const LrSlurmOptions *o)
{
    char *copy;
    const char *word[SLURM_MAX_WORDS];
    int words = opts_words(o->slurm_opts, o->slurm_opt_count, &copy, word);
    char script[PATH_MAX], why[PATH_MAX + 128];
    snprintf(script, sizeof script, "%s/sweep.sbatch", o->out_dir);
    LrBuffer text = {0};
    if (words >= 0)
        script_text(o, word, words, &text);
    LrStatus status = status_of(LR_RUN_FAILED);
    if (words < 0 || text.failed) {
        diag_plain("out of memory");
        goto done;
    }
    if (file_write_atomic(script, text.data, text.length, why, sizeof why) < 0) {
        diag_plain("%s", why);
        goto done;
    }
    char sbatch[PATH_MAX];
    if (find_program("sbatch", sbatch, sizeof sbatch) < 0) {
        diag_plain("sbatch is not on PATH: the job array is written to '%s'; where Slurm is, "
                   "submit it with 'sbatch %s', and when its runs have ended, collect them "
                   "with 'lrc collect %s'",
                   script, script, o->out_dir);
        status = status_of(LR_LANGUAGE_ERROR);
        goto done;
    }
    char array_id[32], collect_id[32];
    char *array_argv[] = {sbatch, (char *)"--parsable", script, NULL};
    if (submit(array_argv, array_id, sizeof array_id, "the job array") < 0) {
        status = status_of(LR_LANGUAGE_ERROR);
        goto done;
    }
    /* The collect job: the user's options, then lrc's (which win). */
    char name[256], dependency[64];
    job_name(o->file, name, sizeof name);
    snprintf(dependency, sizeof dependency, "--dependency=afterany:%s", array_id);
    LrBuffer job = {0}, out = {0}, err = {0}, wrap = {0};
    buffer_printf(&job, "--job-name=%s-collect", name);
    buffer_printf(&out, "--output=%s/collect.out", o->out_dir);
    buffer_printf(&err, "--error=%s/collect.err", o->out_dir);
    buffer_printf(&wrap, "exec ");
    buffer_shell_word(&wrap, o->exe);
    buffer_printf(&wrap, " collect ");
    buffer_shell_word(&wrap, o->out_dir);
    char *argv[SLURM_MAX_WORDS + 10];
    int n = 0;
    argv[n++] = sbatch;
    argv[n++] = (char *)"--parsable";
    for (int i = 0; i < words; i++)
        argv[n++] = (char *)word[i];
    argv[n++] = dependency;
    argv[n++] = job.data;
    argv[n++] = out.data;
    argv[n++] = err.data;
    argv[n++] = (char *)"--wrap";
    argv[n++] = wrap.data;
    argv[n] = NULL;
    if (job.failed || out.failed || err.failed || wrap.failed) {
        diag_plain("out of memory");
    } else if (submit(argv, collect_id, sizeof collect_id, "the collect job") < 0) {
        diag_info("the runs are job %s; when they have ended, collect them with 'lrc collect "
                  "%s'",
                  array_id, o->out_dir);
    } else {
        LrBuffer lines = {0};
        buffer_printf(&lines, "sweep job %s: %d runs, %s\n", array_id, o->run_count, script);
        buffer_printf(&lines, "collect job %s: %s/collect.out when the runs have ended\n",
                      collect_id, o->out_dir);
        if (lines.failed)
            diag_plain("out of memory");
        else
            report_text(lines.data);
        status = status_of(lines.failed ? LR_RUN_FAILED : LR_OK);
        buffer_free(&lines);
    }
    buffer_free(&job);
    buffer_free(&out);
    buffer_free(&err);
    buffer_free(&wrap);
done:
    buffer_free(&text);
    free(copy);
    return status;
}
