/*
 * test_fileio.c - whole-file reads and atomic replacement: content (NUL
 * bytes, empty files, standard input), errors naming the file, the
 * replaced file's mode, a symlink at the name replaced and not followed,
 * no temporary left behind, and the two fsyncs (file, then directory)
 * that make the rename survive a crash.
 *
 * fsync is interposed here (the program's definition wins over libc's for
 * the library's calls): each call records what kind of file it synced.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_fileio.XXXXXX";

/* what fsync saw, in order: 'f' a regular file, 'd' a directory */
static char synced[16];
static size_t nsynced;
static struct stat synced_dir;
static int fsync_fail_dir;

int fsync(int fd);

/* fsync - record the kind of file, then sync it for real */
int
fsync(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && nsynced < sizeof(synced) - 1) {
		synced[nsynced++] = S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' : '?';
		if (S_ISDIR(st.st_mode))
			synced_dir = st;
	}
	if (fsync_fail_dir && S_ISDIR(st.st_mode)) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

/* put - path := s, plainly */
static void
put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(s, f);
		fclose(f);
	}
}

/* entries - the number of names in dir (dot files included, . and .. not) */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

/* test_read - contents, errors */
static void
test_read(void)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/nul", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok(fd >= 0 && write(fd, "a\0b\n", 4) == 4, "fixture with a NUL byte");
	close(fd);
	buf_adds(&b, "kept:");
	is_int(fileio_read(&b, path, &err), 0, "read a file");
	ok(b.len == 9 && memcmp(b.data, "kept:a\0b\n", 9) == 0,
	    "appended after what the buffer held, NUL byte included");
	buf_free(&b);

	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	put(path, "");
	is_int(fileio_read(&b, path, &err), 0, "read an empty file");
	ok(b.data != NULL && b.len == 0 && b.data[0] == '\0', "an empty string, not NULL");
	buf_free(&b);

	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	is_int(fileio_read(&b, path, &err), -1, "a missing file fails");
	ok(strstr(err.data, "/missing: cannot open: No such file or directory") != NULL,
	    "and says which file and why: %s", err.data);
	buf_reset(&err);

	/* a read error, not an open error: a directory opens but read(2) fails */
	is_int(fileio_read(&b, tmpdir, &err), -1, "a read error fails (not ignored)");
	ok(strstr(err.data, ": read: Is a directory") != NULL, "and says so: %s", err.data);
	buf_free(&b);
	buf_free(&err);
}

/* test_stdin - "-" reads standard input */
static void
test_stdin(void)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	char path[256];
	int fd, saved = dup(STDIN_FILENO);

	snprintf(path, sizeof(path), "%s/stdin", tmpdir);
	put(path, "from stdin\n");
	fd = open(path, O_RDONLY);
	dup2(fd, STDIN_FILENO);
	close(fd);
	is_int(fileio_read(&b, "-", &err), 0, "\"-\" reads standard input");
	is_str(b.data, "from stdin\n", "its content");
	dup2(saved, STDIN_FILENO);
	close(saved);
	buf_free(&b);
	buf_free(&err);
}

/* test_replace - content, mode, fsyncs, no temporary left */
static void
test_replace(void)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	char dir[256], path[300], victim[300];
	struct stat st, dst;

	snprintf(dir, sizeof(dir), "%s/r", tmpdir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/state", dir);
	put(path, "old content\n");
	nsynced = 0;
	is_int(fileio_replace(path, "new\0x", 5, 0640, &err), 0, "replace a file");
	ok(fileio_read(&b, path, &err) == 0 && b.len == 5 && memcmp(b.data, "new\0x", 5) == 0,
	    "it holds exactly the new bytes");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640, "with the mode asked for");
	synced[nsynced] = '\0';
	is_str(synced, "fd", "fsync of the file, then of its directory");
	ok(stat(dir, &dst) == 0 && dst.st_ino == synced_dir.st_ino &&
	    dst.st_dev == synced_dir.st_dev, "the directory synced is the file's own");
	is_int(entries(dir), 1, "no temporary file left beside it");
	buf_free(&b);

	/* a symlink at the name is replaced, its target untouched */
	snprintf(victim, sizeof(victim), "%s/victim", tmpdir);
	put(victim, "victim\n");
	unlink(path);
	ok(symlink(victim, path) == 0, "a symlink planted at the name");
	is_int(fileio_replace(path, "mine\n", 5, 0600, &err), 0, "replace over the symlink");
	ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode), "the name is now a regular file");
	ok(fileio_read(&b, victim, &err) == 0 && strcmp(b.data, "victim\n") == 0,
	    "the symlink's target is untouched");
	buf_free(&b);

	/* a relative name: the temporary and the sync in "." */
	ok(chdir(dir) == 0, "chdir to the directory");
	nsynced = 0;
	is_int(fileio_replace("rel", "r", 1, 0600, &err), 0, "replace a relative name");
	synced[nsynced] = '\0';
	is_str(synced, "fd", "both fsyncs for a relative name");
	ok(chdir("/") == 0, "chdir back");
	is_int(entries(dir), 2, "still no temporary left");
	buf_free(&err);
}

/* test_replace_fail - the old content survives; the error names the file */
static void
test_replace_fail(void)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	char path[300], dir[256];
	int n;

	snprintf(path, sizeof(path), "%s/nodir/state", tmpdir);
	is_int(fileio_replace(path, "x", 1, 0600, &err), -1, "a missing directory fails");
	ok(strstr(err.data, "/nodir/state: create: No such file or directory") != NULL,
	    "and names the file and the step: %s", err.data);
	buf_reset(&err);

	/* a rename that cannot happen (the name is a non-empty directory) */
	snprintf(dir, sizeof(dir), "%s/busy", tmpdir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/busy/x", tmpdir);
	put(path, "x");
	n = entries(tmpdir);
	is_int(fileio_replace(dir, "x", 1, 0600, &err), -1, "a failing rename fails");
	ok(strstr(err.data, ": rename: ") != NULL, "and says so: %s", err.data);
	is_int(entries(tmpdir), n, "the temporary is removed");
	buf_reset(&err);

	/* the directory's fsync failing is a failure: the rename may not last */
	snprintf(path, sizeof(path), "%s/r/state", tmpdir);
	fsync_fail_dir = 1;
	is_int(fileio_replace(path, "y", 1, 0600, &err), -1, "a failed directory fsync fails");
	ok(strstr(err.data, "fsync of the directory: Input/output error") != NULL,
	    "and says so: %s", err.data);
	fsync_fail_dir = 0;
	buf_free(&b);
	buf_free(&err);
}

/* test_gzread - a gzip file and a plain one read in small pieces, the end
 * seen, the bytes all there */
static void
test_gzread(void)
{
	char path[300];
	struct buf b = BUF_INIT;
	gzFile gz;
	int eof = 0, reads = 0, i;

	snprintf(path, sizeof(path), "%s/h.gz", tmpdir);
	gz = gzopen(path, "wb");
	for (i = 0; i < 1000; i++)
		gzprintf(gz, "line %d\n", i);
	gzclose(gz);
	gz = gzopen(path, "rb");
	while (!eof && reads < 100000 && fileio_gzread(gz, &b, 100, &eof) == 0)
		reads++;
	gzclose(gz);
	ok(eof, "gzread: the end of a gzip file is seen");
	ok(b.len > 6000 && strncmp(b.data + b.len - 9, "line 999\n", 9) == 0 &&
	    strlen(b.data) == b.len, "gzread: every byte appended, terminated");
	ok(reads > 60, "gzread: at most n bytes per call (%d calls)", reads);
	buf_free(&b);
	snprintf(path, sizeof(path), "%s/plain", tmpdir);
	fileio_replace(path, "abc", 3, 0600, &b);
	buf_free(&b);
	eof = 0;
	gz = gzopen(path, "rb");
	is_int(fileio_gzread(gz, &b, 10, &eof), 0, "gzread: a plain file reads too");
	is_str(b.data, "abc", "gzread: as it is");
	gzclose(gz);
	buf_free(&b);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_read();
	test_stdin();
	test_replace();
	test_replace_fail();
	test_gzread();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	return tap_done();
}
