/*
 * daemon.c - process plumbing for the milter daemon
 *
 * Signals.  libmilter's own signal thread sigwait()s for SIGHUP, SIGTERM and
 * SIGINT and stops the milter on any of them.  We want SIGHUP to reload, so
 * sigwait() is defined here: a wait that names SIGTERM and SIGINT (that is
 * libmilter's) has SIGHUP taken out of its set, and SIGHUP and SIGUSR1 go to
 * our own signal thread instead.  SIGTERM/SIGINT stay libmilter's: it closes
 * the listening socket and smfi_main() returns; main() then waits for the
 * connections still open to finish.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "callbacks.h"
#include "daemon.h"
#include "history.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"

static int ready_fd = -1;

/* daemon_history - see daemon.h */
int
daemon_history(struct engine *e, const struct engine *prev)
{
	struct buf err = BUF_INIT;
	int rc;

	buf_init(&err);
	if ((rc = engine_open_history(e, prev, &err)) != 0)
		log_err("HistoryFile: %s", err.data);
	buf_free(&err);
	return rc;
}

/* reopen_history - SIGUSR1 (logrotate): the current engine's history file
 * starts anew at its path (an engine still running messages under an older
 * HistoryFile keeps its file until they finish) */
static void
reopen_history(void)
{
	struct engine *e = callbacks_engine();

	if (e != NULL && e->history != NULL) {
		if (history_reopen(e->history) == 0)
			log_info("SIGUSR1: history file %s reopened", e->conf->history_file);
		else
			log_warnx("SIGUSR1: cannot reopen history file %s; still writing the old one",
			    e->conf->history_file);
	}
	engine_unref(e);
}

/* sigwait - libmilter's wait without SIGHUP; see the comment at the top */
int
sigwait(const sigset_t *set, int *sig)
{
	sigset_t s = *set;
	int rc;

	if (sigismember(&s, SIGTERM) && sigismember(&s, SIGINT))
		sigdelset(&s, SIGHUP);
	do
		rc = sigwaitinfo(&s, NULL);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return errno;
	*sig = rc;
	return 0;
}

/* daemon_block_signals - see daemon.h */
void
daemon_block_signals(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGHUP);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGINT);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* daemon_detach - fork into the background, parent waits for the verdict */
int
daemon_detach(void)
{
	char why[1024];
	int pfd[2], nullfd;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0) {
		close(pfd[1]);
		n = read(pfd[0], why, sizeof(why) - 1);
		if (n > 0 && why[0] == '+')
			_exit(0);
		why[n > 0 ? n : 0] = '\0';
		fprintf(stderr, "authmilter: start-up failed%s%s\n", n > 1 ? ": " : "", n > 1 ? why + 1 : "");
		_exit(1);
	}
	close(pfd[0]);
	ready_fd = pfd[1];
	setsid();
	if (chdir("/") != 0)
		log_warn("chdir /");
	if ((nullfd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(nullfd, 0);
		dup2(nullfd, 1);
		dup2(nullfd, 2);
		if (nullfd > 2)
			close(nullfd);
	}
	return 0;
}

/* daemon_ready - report start-up to the waiting parent, if any */
void
daemon_ready(int ok, const char *why)
{
	char msg[1024];

	if (ready_fd < 0)
		return;
	snprintf(msg, sizeof(msg), "%c%s", ok ? '+' : '-', why ? why : "");
	if (write(ready_fd, msg, strlen(msg)) < 0)
		log_warn("start-up pipe");
	close(ready_fd);
	ready_fd = -1;
}

/* daemon_socket - translate Socket for libmilter and bind it */
int
daemon_socket(const struct conf *c)
{
	char spec[512];
	const char *s = c->socket, *at, *lb, *rb;
	mode_t old;
	int rc;

	/* libmilter wants inet6:PORT@ADDR without brackets, unix: or local: */
	if (strncmp(s, "inet6:", 6) == 0 && (at = strchr(s, '@')) != NULL &&
	    (lb = strchr(at, '[')) != NULL && (rb = strchr(lb, ']')) != NULL)
		snprintf(spec, sizeof(spec), "%.*s%.*s", (int)(lb - s), s, (int)(rb - lb - 1), lb + 1);
	else
		snprintf(spec, sizeof(spec), "%s", s);
	if (smfi_setconn(spec) != MI_SUCCESS) {
		log_err("Socket %s: libmilter refused it", c->socket);
		return -1;
	}
	old = umask((mode_t)c->umask);
	rc = smfi_opensocket(1);
	umask(old);
	if (rc != MI_SUCCESS) {
		log_err("Socket %s: cannot listen (in use, or no permission?)", c->socket);
		return -1;
	}
	umask((mode_t)c->umask);
	return 0;
}

/* daemon_drop_privileges - become UserID ("user" or "user:group") */
int
daemon_drop_privileges(const struct conf *c)
{
	char user[256], *colon;
	struct passwd *pw;
	struct group *gr;
	gid_t gid;

	if (c->userid == NULL) {
		if (geteuid() == 0 && !c->allow_root) {
			log_err("refusing to run as root: set UserID (or AllowRootOperation yes)");
			return -1;
		}
		return 0;
	}
	snprintf(user, sizeof(user), "%s", c->userid);
	if ((colon = strchr(user, ':')) != NULL)
		*colon++ = '\0';
	if ((pw = getpwnam(user)) == NULL) {
		log_err("UserID %s: no such user", user);
		return -1;
	}
	gid = pw->pw_gid;
	if (colon) {
		if ((gr = getgrnam(colon)) == NULL) {
			log_err("UserID %s: no such group %s", c->userid, colon);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
		return 0;
	if (setgroups(0, NULL) != 0 && geteuid() == 0) {
		log_warn("setgroups");
		return -1;
	}
	if (initgroups(user, gid) != 0 || setgid(gid) != 0 || setuid(pw->pw_uid) != 0) {
		log_warn("cannot become %s", c->userid);
		return -1;
	}
	if (setuid(0) == 0) {
		log_err("UserID %s: could regain root after dropping it", c->userid);
		return -1;
	}
	return 0;
}

/* daemon_write_pidfile - write our pid */
int
daemon_write_pidfile(const char *path)
{
	char line[32];
	struct stat st;
	int fd, n, rc = -1;

	if (path == NULL)
		return 0;
	/* written as root before the privilege drop: a symlink planted at the
	 * name is refused (O_NOFOLLOW), and only a regular file is truncated */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
		log_warn("PidFile %s", path);
		return -1;
	}
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		log_err("PidFile %s: not a regular file; refused", path);
	else if (ftruncate(fd, 0) != 0 || write(fd, line, (size_t)n) != n)
		log_warn("PidFile %s", path);
	else
		rc = 0;
	close(fd);
	return rc;
}

/* reload - build a new engine from the file; keep the old one on failure */
static void
reload(const char *path)
{
	struct buf err = BUF_INIT;
	struct engine *e, *prev;
	struct conf *c;
	int rc;

	buf_init(&err);
	if ((c = conf_load(path, &err)) == NULL ||
	    (e = engine_new(c, &err)) == NULL) {
		log_err("reload failed, keeping the running configuration: %s", err.data);
		metrics_reload(0);
		buf_free(&err);
		return;
	}
	prev = callbacks_engine();
	rc = daemon_history(e, prev);
	engine_unref(prev);
	if (rc != 0) {
		log_err("reload failed, keeping the running configuration: HistoryFile unusable");
		metrics_reload(0);
		engine_unref(e);
		buf_free(&err);
		return;
	}
	callbacks_set_engine(e);
	metrics_reload(1);
	metrics_http_reconf(e->conf->metrics_socket);
	log_info("configuration reloaded from %s", path);
	conf_log_notices(e->conf);
	buf_free(&err);
}

/* signal_thread - SIGHUP: reload; SIGUSR1: reopen files */
static void *
signal_thread(void *arg)
{
	const char *path = arg;
	sigset_t s;
	int sig;

	sigemptyset(&s);
	sigaddset(&s, SIGHUP);
	sigaddset(&s, SIGUSR1);
	for (;;) {
		if ((sig = sigwaitinfo(&s, NULL)) < 0)
			continue;
		if (sig == SIGHUP)
			reload(path);
		else if (sig == SIGUSR1)
			reopen_history();
	}
	return NULL;
}

/* daemon_start_signal_thread - see daemon.h */
int
daemon_start_signal_thread(const char *conf_path)
{
	pthread_t t;

	if (pthread_create(&t, NULL, signal_thread, (void *)conf_path) != 0)
		return -1;
	pthread_detach(t);
	return 0;
}

/*
 * daemon_thread_stacks - Debian's libmilter runs sessions on a pool of
 * worker threads that it starts and lets go as load changes, with the
 * default attributes (an 8 MiB stack from RLIMIT_STACK).  glibc keeps up to
 * 40 MiB of freed stacks for reuse; with 8 MiB stacks only a few fit, so
 * under load most thread starts mapped a new stack and most exits unmapped
 * one (a TLB shoot-down on every CPU each time).  1 MiB stacks fit 40 in
 * the cache.  Our deepest call chain (OpenSSL under libopendkim, libspf2,
 * libunbound's callbacks run on its own thread) uses well under 128 KiB.
 */
#define DAEMON_THREAD_STACK (1024 * 1024)

void
daemon_thread_stacks(void)
{
	pthread_attr_t a;
	size_t cur = 0;

	if (pthread_getattr_default_np(&a) != 0)
		return;
	if (pthread_attr_getstacksize(&a, &cur) == 0 && cur > DAEMON_THREAD_STACK &&
	    pthread_attr_setstacksize(&a, DAEMON_THREAD_STACK) == 0 &&
	    pthread_setattr_default_np(&a) != 0)
		log_warn("cannot set the default thread stack size; keeping %zu bytes", cur);
	pthread_attr_destroy(&a);
}

/*
 * daemon_malloc_arenas - glibc gives threads up to 8 malloc arenas per CPU.
 * libmilter's worker pool starts and stops threads as load changes, so over
 * time a thread lands on arenas other threads filled, and memory spread over
 * many arenas is not given back.  1,000,000-message soak at 50 connections
 * (t/bench/bench.sh soak), VmRSS first vs last 100,000: default arenas
 * +696 KiB and still creeping; 2 arenas +600 KiB (one step); 1 arena flat
 * (-128 KiB), at the same message rate.  So one arena; each thread's tcache
 * still serves most small allocations without the arena lock.  An
 * administrator's MALLOC_ARENA_MAX wins.
 */
void
daemon_malloc_arenas(void)
{
	if (getenv("MALLOC_ARENA_MAX") != NULL)
		return;
	if (mallopt(M_ARENA_MAX, 1) != 1)	/* e.g. a sanitizer's allocator */
		log_debug("malloc arenas not limited");
}
