/*
 * report_mail.c - compose an aggregate report message (RFC 9990 §"Email",
 * RFC 2045/2046 MIME) and hand it to sendmail without a shell
 *
 * The message is multipart/mixed: a short text/plain note and the report
 * as an application/gzip attachment (RFC 6713) in base64.  The Report-ID
 * in the Subject equals the unique-id of the file name and the XML
 * report_id, and is reused in Message-ID so a resend is recognisable.
 * Addresses reach the command's argv only after rua_addr_valid, and the
 * command is executed directly (posix_spawn), so no shell ever parses
 * anything taken from DNS.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "report_mail.h"
#include "rua.h"

extern char **environ;

/* header_safe - no CR, LF or other controls in a header value */
static int
header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* report_mail_addr - addr-spec of a From value, checked */
char *
report_mail_addr(const char *from)
{
	const char *lt = strrchr(from, '<'), *gt;
	char *a;

	if (lt != NULL) {
		gt = strchr(lt, '>');
		if (gt == NULL)
			return NULL;
		a = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	} else
		a = xstrdup(from);
	if (!rua_addr_valid(a, strlen(a))) {
		free(a);
		return NULL;
	}
	return a;
}

/* common_fields - Date, Message-ID <left@right>, Auto-Submitted and
 * MIME-Version, the fields every message of ours ends its header with */
static void
common_fields(struct buf *out, time_t when, const char *left, const char *right)
{
	char date[64];
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(out, "Date: %s\n", date);
	buf_printf(out, "Message-ID: <%s@%s>\n", left, right);
	buf_adds(out, "Auto-Submitted: auto-generated\n");	/* RFC 3834 §5 */
	buf_adds(out, "MIME-Version: 1.0\n");
}

/* report_mail_compose - the whole message */
int
report_mail_compose(const struct report_mail *m, struct buf *out)
{
	if (!header_safe(m->from) || !rua_addr_valid(m->to, strlen(m->to)) ||
	    !rua_domain_valid(m->pdomain, strlen(m->pdomain)) ||
	    !rua_domain_valid(m->submitter, strlen(m->submitter)) ||
	    !header_safe(m->report_id) || strpbrk(m->filename, "\"\\") != NULL)
		return -1;
	buf_printf(out, "From: %s\n", m->from);
	buf_printf(out, "To: <%s>\n", m->to);
	/* RFC 9990 §"Email": dmarc-subject, folded at FWS when long */
	buf_printf(out, "Subject: Report Domain: %s%sSubmitter: %s%sReport-ID: <%s>\n",
	    m->pdomain, strlen(m->pdomain) > 30 ? "\n " : " ",
	    m->submitter, strlen(m->submitter) > 30 ? "\n " : " ", m->report_id);
	common_fields(out, m->date, m->report_id, m->submitter);
	buf_printf(out, "Content-Type: multipart/mixed; boundary=\"=_am_%s\"\n\n", m->report_id);
	buf_adds(out, "This is a DMARC aggregate report in MIME format.\n\n");
	buf_printf(out, "--=_am_%s\nContent-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: 7bit\n\n", m->report_id);
	buf_printf(out, "DMARC aggregate report for %s from %s,\ncovering %lld to %lld (UTC epoch seconds).\n"
	    "Report-ID: %s\n\n", m->pdomain, m->submitter, m->begin, m->end, m->report_id);
	buf_printf(out, "--=_am_%s\nContent-Type: application/gzip; name=\"%s\"\n"
	    "Content-Disposition: attachment; filename=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n\n", m->report_id, m->filename, m->filename);
	base64_encode(out, m->gz, m->gzlen, 76);	/* RFC 2045 §6.8 */
	buf_printf(out, "\n--=_am_%s--\n", m->report_id);
	return 0;
}

/* report_mail_text - see report_mail.h: a plain ASCII text message */
int
report_mail_text(const struct report_mail_text *m, struct buf *out)
{
	const char *p;
	size_t i;

	if (!header_safe(m->from) || !header_safe(m->subject) || !header_safe(m->msgid_left) ||
	    !rua_domain_valid(m->msgid_right, strlen(m->msgid_right)))
		return -1;
	for (i = 0; i < m->to->n; i++)
		if (!rua_addr_valid(m->to->v[i], strlen(m->to->v[i])))
			return -1;
	for (p = m->body; *p; p++)
		if ((unsigned char)*p > 0x7e || ((unsigned char)*p < 0x20 && *p != '\n'))
			return -1;
	buf_printf(out, "From: %s\n", m->from);
	for (i = 0; i < m->to->n; i++)
		buf_printf(out, "%s<%s>%s", i ? "    " : "To: ", m->to->v[i],
		    i + 1 < m->to->n ? ",\n" : "\n");
	buf_printf(out, "Subject: %s\n", m->subject);
	common_fields(out, m->date, m->msgid_left, m->msgid_right);
	buf_adds(out, "Content-Type: text/plain; charset=us-ascii\n"
	    "Content-Transfer-Encoding: 7bit\n\n");
	buf_adds(out, m->body);
	return 0;
}

/* report_mail_split - words separated by spaces or tabs */
void
report_mail_split(const char *command, struct strlist *out)
{
	const char *p = command;

	while (*p != '\0') {
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n > 0) {
			char *w = xstrndup(p, n);

			strlist_add(out, w);
			free(w);
		}
		p += n;
	}
}

/* feed - write msg to fd within the deadline; the child may stop reading */
static int
feed(int fd, const char *msg, size_t len, time_t deadline, struct buf *err)
{
	while (len > 0) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		int left = (int)(deadline - time(NULL)), r;
		ssize_t w;

		if (left <= 0) {
			buf_printf(err, "timed out writing the message");
			return -1;
		}
		r = poll(&pfd, 1, left * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		w = write(fd, msg, len);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0) {
			buf_printf(err, "writing to the command: %s", strerror(errno));
			return -1;
		}
		msg += w;
		len -= (size_t)w;
	}
	return 0;
}

/* reap - wait for pid until the deadline, then kill it */
static int
reap(pid_t pid, time_t deadline, struct buf *err)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			buf_printf(err, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (time(NULL) >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			buf_printf(err, "timed out; killed");
			return -1;
		}
		usleep(20000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		buf_printf(err, "exited with status %d", WEXITSTATUS(status));
	else
		buf_printf(err, "killed by signal %d", WTERMSIG(status));
	return -1;
}

/* report_mail_submit - see report_mail.h: one recipient */
int
report_mail_submit(const char *command, const char *envfrom, const char *rcpt,
    const char *msg, size_t len, int timeout, struct buf *err)
{
	struct strlist one = { 0, NULL };
	int rc;

	strlist_add(&one, rcpt);
	rc = report_mail_submit_to(command, envfrom, &one, msg, len, timeout, err);
	strlist_free(&one);
	return rc;
}

/* report_mail_submit_to - posix_spawn the command, feed it, judge its exit */
int
report_mail_submit_to(const char *command, const char *envfrom, const struct strlist *rcpts,
    const char *msg, size_t len, int timeout, struct buf *err)
{
	struct strlist argv = { 0, NULL };
	posix_spawn_file_actions_t fa;
	time_t deadline = time(NULL) + timeout;
	int p[2], rc = -1, e;
	size_t i;
	pid_t pid;

	for (i = 0; i < rcpts->n; i++)
		if (!rua_addr_valid(rcpts->v[i], strlen(rcpts->v[i])))
			break;
	if (rcpts->n == 0 || i < rcpts->n || !rua_addr_valid(envfrom, strlen(envfrom))) {
		buf_printf(err, "refused address");
		return -1;
	}
	report_mail_split(command, &argv);
	if (argv.n == 0) {
		buf_printf(err, "empty command");
		return -1;
	}
	strlist_add(&argv, "-f");
	strlist_add(&argv, envfrom);
	for (i = 0; i < rcpts->n; i++)
		strlist_add(&argv, rcpts->v[i]);
	argv.v = xrealloc(argv.v, (argv.n + 1) * sizeof(*argv.v));
	argv.v[argv.n] = NULL;
	if (pipe2(p, O_CLOEXEC) != 0) {
		buf_printf(err, "pipe: %s", strerror(errno));
		strlist_free(&argv);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	if (strchr(argv.v[0], '/') != NULL)
		e = posix_spawn(&pid, argv.v[0], &fa, NULL, argv.v, environ);
	else
		e = posix_spawnp(&pid, argv.v[0], &fa, NULL, argv.v, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[0]);
	if (e != 0) {
		buf_printf(err, "%s: %s", argv.v[0], strerror(e));
		close(p[1]);
	} else {
		int fr;

		(void)fcntl(p[1], F_SETFL, O_NONBLOCK);
		fr = feed(p[1], msg, len, deadline, err);
		close(p[1]);
		rc = reap(pid, fr == 0 ? deadline : 0, err);
		if (fr != 0)
			rc = -1;
	}
	strlist_free(&argv);
	return rc;
}
