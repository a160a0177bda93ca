/* test_fileio.c — the buffer, atomic writes and their failures, mkdir -p,
 * and bounded reads. Tests run as root in CI, so failures are provoked in
 * ways permissions cannot bypass: a path under a regular file, /proc, a
 * directory as target, and RLIMIT_FSIZE for a write that fails halfway. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "fileio.h"

/* ---- fixture: a fresh directory per test ------------------------------ */

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char child[4096];
            snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            remove_tree(child);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int setup(void **state)
{
    char *dir = malloc(64);
    if (!dir)
        return -1;
    strcpy(dir, "/tmp/test_fileio_XXXXXX");
    if (!mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int teardown(void **state)
{
    remove_tree(*state);
    free(*state);
    return 0;
}

/* The names in dir other than . and .., joined by spaces, must be want
 * (no temporary file left beside the target, nothing written on failure). */
static void assert_dir_holds(const char *dir, const char *want)
{
    char names[512] = "";
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (names[0])
            strncat(names, " ", sizeof names - strlen(names) - 1);
        strncat(names, e->d_name, sizeof names - strlen(names) - 1);
    }
    closedir(d);
    assert_string_equal(names, want);
}

static void write_plain(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void assert_file_is(const char *path, const char *text)
{
    char why[256];
    size_t size;
    char *got = file_read_all(path, 1 << 20, &size, why, sizeof why);
    if (!got)
        fail_msg("%s", why);
    assert_int_equal(size, strlen(text));
    assert_memory_equal(got, text, size);
    assert_int_equal(got[size], '\0');
    free(got);
}

/* ---- buffer ------------------------------------------------------------ */

static void test_fileio__buffer_appends_and_formats(void **state)
{
    (void)state;
    LrBuffer b = {0};
    buffer_append(&b, "ab", 2);
    buffer_printf(&b, "%d-%s", 42, "x");
    assert_int_equal(b.length, 6);
    assert_string_equal(b.data, "ab42-x");
    /* Longer than the spare room: the second vsnprintf after growing. */
    char big[1000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buffer_printf(&b, "[%s]", big);
    assert_int_equal(b.length, 6 + 1001);
    assert_int_equal(b.data[6], '[');
    assert_int_equal(b.data[1006], ']');
    assert_int_equal(b.data[1007], '\0');
    for (int i = 0; i < 10000; i++)
        buffer_append(&b, "0123456789", 10);
    assert_int_equal(b.length, 1007 + 100000);
    assert_false(b.failed);
    buffer_append(&b, NULL, 0);
    buffer_printf(&b, "%s", "");
    assert_int_equal(b.length, 101007);
    buffer_free(&b);
    assert_null(b.data);
    assert_int_equal(b.length, 0);
}

static void test_fileio__buffer_failed_does_nothing(void **state)
{
    (void)state;
    LrBuffer b = {0};
    buffer_append(&b, "x", 1);
    b.failed = 1;
    buffer_append(&b, "y", 1);
    buffer_printf(&b, "%d", 7);
    assert_int_equal(b.length, 1);
    /* A size that cannot be added is refused, not wrapped around. */
    b.failed = 0;
    buffer_append(&b, "z", (size_t)-1);
    assert_true(b.failed);
    assert_int_equal(b.length, 1);
    buffer_free(&b);
}

/* Each word, quoted, is read back by /bin/sh as itself: printf prints
 * each argument on a line of its own. Plain words stay unquoted. */
static void test_fileio__shell_word_reads_back(void **state)
{
    (void)state;
    const char *words[] = {"plain/path-1.lr", "", "two words", "it's", "$HOME", "a\"b\\c",
                           "'", "x;rm -rf y", "*", "new\nline", "--set=rate=sweep(0.1, 0.2)"};
    enum { COUNT = sizeof words / sizeof *words };
    LrBuffer cmd = {0};
    buffer_printf(&cmd, "printf '%%s|\\n'");
    for (int i = 0; i < COUNT; i++) {
        buffer_append(&cmd, " ", 1);
        buffer_shell_word(&cmd, words[i]);
    }
    assert_false(cmd.failed);
    FILE *sh = popen(cmd.data, "r");
    assert_non_null(sh);
    char got[4096];
    size_t n = fread(got, 1, sizeof got - 1, sh);
    got[n] = '\0';
    assert_int_equal(pclose(sh), 0);
    LrBuffer want = {0};
    for (int i = 0; i < COUNT; i++)
        buffer_printf(&want, "%s|\n", words[i]);
    assert_string_equal(got, want.data);
    buffer_free(&want);
    buffer_free(&cmd);
    LrBuffer plain = {0};
    buffer_shell_word(&plain, "/tmp/a_b,c:d@e%f+g=h");
    assert_string_equal(plain.data, "/tmp/a_b,c:d@e%f+g=h");
    buffer_free(&plain);
}

/* ---- atomic writes ----------------------------------------------------- */

static void test_fileio__write_round_trip(void **state)
{
    const char *dir = *state;
    char path[256], why[256];
    snprintf(path, sizeof path, "%s/run.json", dir);
    mode_t old = umask(022);
    assert_int_equal(file_write_atomic(path, "{\"a\": 1}\n", 9, why, sizeof why), 0);
    umask(old);
    assert_file_is(path, "{\"a\": 1}\n");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_dir_holds(dir, "run.json");

    /* Empty content is a valid file too. */
    assert_int_equal(file_write_atomic(path, "", 0, why, sizeof why), 0);
    assert_file_is(path, "");
}

static void test_fileio__overwrite_replaces_whole_file(void **state)
{
    const char *dir = *state;
    char path[256], why[256];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    char longer[5000];
    memset(longer, 'L', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(file_write_atomic(path, longer, strlen(longer), why, sizeof why), 0);
    assert_int_equal(file_write_atomic(path, "short", 5, why, sizeof why), 0);
    assert_file_is(path, "short"); /* no tail of the longer version */
    for (int i = 0; i < 20; i++) {
        char text[32];
        int n = snprintf(text, sizeof text, "version %d\n", i);
        assert_int_equal(file_write_atomic(path, text, (size_t)n, why, sizeof why), 0);
        assert_file_is(path, text);
    }
    assert_dir_holds(dir, "metrics.csv");
}

static void test_fileio__relative_path_in_current_directory(void **state)
{
    const char *dir = *state;
    char here[4096], why[256];
    assert_non_null(getcwd(here, sizeof here));
    assert_int_equal(chdir(dir), 0);
    int rc = file_write_atomic("plain.txt", "p", 1, why, sizeof why);
    assert_int_equal(chdir(here), 0);
    assert_int_equal(rc, 0);
    char path[256];
    snprintf(path, sizeof path, "%s/plain.txt", dir);
    assert_file_is(path, "p");
    assert_dir_holds(dir, "plain.txt");
}

static void test_fileio__stale_temporary_is_replaced(void **state)
{
    const char *dir = *state;
    char path[256], tmp[256], why[256];
    snprintf(path, sizeof path, "%s/w.safetensors", dir);
    snprintf(tmp, sizeof tmp, "%s/.w.safetensors.tmp.%ld", dir, (long)getpid());
    write_plain(tmp, "left by a crash");
    assert_int_equal(file_write_atomic(path, "new", 3, why, sizeof why), 0);
    assert_file_is(path, "new");
    assert_dir_holds(dir, "w.safetensors");
}

static void test_fileio__write_under_regular_file_fails(void **state)
{
    const char *dir = *state;
    char file[256], path[256], why[256];
    snprintf(file, sizeof file, "%s/somefile", dir);
    write_plain(file, "x");
    snprintf(path, sizeof path, "%s/somefile/run.json", dir);
    assert_int_equal(file_write_atomic(path, "data", 4, why, sizeof why), -1);
    assert_why(why, "cannot write '%s': Not a directory", path);
    snprintf(path, sizeof path, "%s/missing/run.json", dir);
    assert_int_equal(file_write_atomic(path, "data", 4, why, sizeof why), -1);
    assert_why(why, "cannot write '%s': No such file or directory", path);
    assert_dir_holds(dir, "somefile");
    assert_file_is(file, "x");
}

static void test_fileio__write_into_proc_fails(void **state)
{
    (void)state;
    /* procfs refuses new files even to root. */
    char why[256];
    assert_int_equal(file_write_atomic("/proc/lrc_test_run.json", "data", 4, why, sizeof why), -1);
    assert_true(strncmp(why, "cannot write '/proc/lrc_test_run.json': ", 40) == 0);
    assert_int_equal(access("/proc/lrc_test_run.json", F_OK), -1);
    /* A trailing slash names a directory, not a file. */
    assert_int_equal(file_write_atomic("/tmp/", "data", 4, why, sizeof why), -1);
    assert_string_equal(why, "cannot write '/tmp/': Is a directory");
}

static void test_fileio__directory_target_fails_at_rename(void **state)
{
    const char *dir = *state;
    char path[256], why[256];
    snprintf(path, sizeof path, "%s/out", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(file_write_atomic(path, "data", 4, why, sizeof why), -1);
    assert_why(why, "cannot write '%s': Is a directory", path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_dir_holds(dir, "out");
}

static void test_fileio__failed_write_keeps_previous_version(void **state)
{
    const char *dir = *state;
    char path[256], why[256];
    snprintf(path, sizeof path, "%s/run.json", dir);
    assert_int_equal(file_write_atomic(path, "previous", 8, why, sizeof why), 0);

    /* A file size limit makes the write stop partway (a short write, then
     * EFBIG), as a full disk would; root is bound by it too. */
    char big[10000];
    memset(big, 'n', sizeof big);
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 1000;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = file_write_atomic(path, big, sizeof big, why, sizeof why);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);

    assert_int_equal(rc, -1);
    assert_why(why, "cannot write '%s': File too large", path);
    assert_file_is(path, "previous");
    assert_dir_holds(dir, "run.json");
}

/* ---- directories --------------------------------------------------------- */

static void test_fileio__make_dirs(void **state)
{
    const char *dir = *state;
    char path[256], why[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/a/b//c/", dir);
    assert_int_equal(file_make_dirs(path, why, sizeof why), 0);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(file_make_dirs(path, why, sizeof why), 0); /* exists: fine */
    assert_int_equal(file_make_dirs(dir, why, sizeof why), 0);

    char file[256];
    snprintf(file, sizeof file, "%s/a/plain", dir);
    write_plain(file, "x");
    snprintf(path, sizeof path, "%s/a/plain/sub", dir);
    /* Like mkdir -p, the message names the component that failed. */
    assert_int_equal(file_make_dirs(path, why, sizeof why), -1);
    assert_why(why, "cannot create directory '%s': it exists and is not a directory", file);
    assert_int_equal(file_make_dirs(file, why, sizeof why), -1);
    assert_why(why, "cannot create directory '%s': it exists and is not a directory", file);
    /* A symlink is named with its target: a dangling one, one to a file. */
    char link[256];
    snprintf(link, sizeof link, "%s/a/dangling", dir);
    assert_int_equal(symlink("nowhere/x", link), 0);
    assert_int_equal(file_make_dirs(link, why, sizeof why), -1);
    assert_why(why,
               "cannot create directory '%s': it is a symbolic link to 'nowhere/x', which does "
               "not exist",
               link);
    snprintf(link, sizeof link, "%s/a/tofile", dir);
    assert_int_equal(symlink("plain", link), 0);
    assert_int_equal(file_make_dirs(link, why, sizeof why), -1);
    assert_why(why, "cannot create directory '%s': it is a symbolic link to 'plain', not a directory",
               link);

    char here[4096];
    assert_non_null(getcwd(here, sizeof here));
    assert_int_equal(chdir(dir), 0);
    int rc = file_make_dirs("rel/x", why, sizeof why);
    assert_int_equal(chdir(here), 0);
    assert_int_equal(rc, 0);
    snprintf(path, sizeof path, "%s/rel/x", dir);
    assert_int_equal(stat(path, &st), 0);
}

/* ---- reading ------------------------------------------------------------- */

static void test_fileio__read_all_limits_and_errors(void **state)
{
    const char *dir = *state;
    char path[256], why[256];
    snprintf(path, sizeof path, "%s/hundred", dir);
    char text[101];
    memset(text, 'h', 100);
    text[100] = '\0';
    write_plain(path, text);
    size_t size = 0;
    char *got = file_read_all(path, 100, &size, why, sizeof why);
    assert_non_null(got);
    assert_int_equal(size, 100);
    free(got);
    got = file_read_all(path, 100, NULL, why, sizeof why);
    assert_non_null(got);
    free(got);
    assert_null(file_read_all(path, 99, &size, why, sizeof why));
    assert_why(why, "'%s' is too large (100 bytes, limit 99)", path);

    snprintf(path, sizeof path, "%s/absent", dir);
    assert_null(file_read_all(path, 100, &size, why, sizeof why));
    assert_why(why, "cannot read '%s': No such file or directory", path);

    assert_null(file_read_all(dir, 100, &size, why, sizeof why));
    assert_why(why, "cannot read '%s': it is a directory, not a regular file", dir);
}

static void test_fileio__read_all_of_unknown_size(void **state)
{
    (void)state;
    /* procfs files claim size 0, so the buffer grows as they are read. */
    char why[256];
    size_t size = 0;
    char *got = file_read_all("/proc/self/status", 1 << 20, &size, why, sizeof why);
    if (!got)
        fail_msg("%s", why);
    assert_true(size > 100);
    assert_int_equal(strlen(got), size);
    assert_true(strncmp(got, "Name:", 5) == 0);
    free(got);
    assert_null(file_read_all("/proc/self/status", 10, &size, why, sizeof why));
    assert_string_equal(why, "'/proc/self/status' is too large (more than 10 bytes)");
}

/* A FIFO without a writer would block the open, /dev/zero never ends:
 * both are refused at once, by what they are. */
static void test_fileio__only_regular_files_are_read(void **state)
{
    const char *dir = *state;
    char path[512], why[256];
    size_t size;
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(file_open_regular(path, why, sizeof why), -1);
    assert_string_equal(why, "it is a FIFO, not a regular file");
    assert_null(file_read_all(path, 100, &size, why, sizeof why));
    assert_why(why, "cannot read '%s': it is a FIFO, not a regular file", path);
    assert_null(file_read_all("/dev/zero", 100, &size, why, sizeof why));
    assert_string_equal(why, "cannot read '/dev/zero': it is a character device, not a regular file");
    unlink(path);
    /* A regular file comes back blocking, ready to read. */
    snprintf(path, sizeof path, "%s/plain", dir);
    assert_int_equal(file_write_atomic(path, "abc", 3, why, sizeof why), 0);
    int fd = file_open_regular(path, why, sizeof why);
    assert_true(fd >= 0);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    char buf[4];
    assert_int_equal(read(fd, buf, sizeof buf), 3);
    close(fd);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fileio__buffer_appends_and_formats),
        cmocka_unit_test(test_fileio__buffer_failed_does_nothing),
        cmocka_unit_test(test_fileio__shell_word_reads_back),
        cmocka_unit_test_setup_teardown(test_fileio__write_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fileio__overwrite_replaces_whole_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fileio__relative_path_in_current_directory, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fileio__stale_temporary_is_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fileio__write_under_regular_file_fails, setup,
                                        teardown),
        cmocka_unit_test(test_fileio__write_into_proc_fails),
        cmocka_unit_test_setup_teardown(test_fileio__directory_target_fails_at_rename, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fileio__failed_write_keeps_previous_version, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fileio__make_dirs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fileio__read_all_limits_and_errors, setup, teardown),
        cmocka_unit_test(test_fileio__read_all_of_unknown_size),
        cmocka_unit_test_setup_teardown(test_fileio__only_regular_files_are_read, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
