/*
 * milterproto.c - MTA side of the milter protocol (version 6), as Postfix's
 * milter8 client speaks it, for miltc and the load driver.
 *
 * Wire format: every packet is a 32-bit length in network order (counting
 * the command byte), a command byte and its data. Strings are NUL
 * terminated. Replies to a command may be preceded by 'p' (progress);
 * modification requests come only after EOM, before the final reply.
 * Message parsing and editing (for chains of milters) live in
 * milterproto_msg.c.
 */
#include "milterproto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

/* protocol constants (libmilter mfdef.h), spelled out so the client does not
 * depend on the libmilter headers */
#define MP_VERSION 6
#define MP_ACTIONS_ALL 0x1ffUL	/* ADDHDRS CHGBODY ADDRCPT DELRCPT CHGHDRS
				   QUARANTINE CHGFROM ADDRCPT_PAR SETSYMLIST */
#define P_NOCONNECT 0x1UL
#define P_NOHELO 0x2UL
#define P_NOMAIL 0x4UL
#define P_NORCPT 0x8UL
#define P_NOBODY 0x10UL
#define P_NOHDRS 0x20UL
#define P_NOEOH 0x40UL
#define P_NR_HDR 0x80UL
#define P_NOUNKNOWN 0x100UL
#define P_NODATA 0x200UL
#define P_SKIP 0x400UL
#define P_RCPT_REJ 0x800UL
#define P_NR_CONN 0x1000UL
#define P_NR_HELO 0x2000UL
#define P_NR_MAIL 0x4000UL
#define P_NR_RCPT 0x8000UL
#define P_NR_DATA 0x10000UL
#define P_NR_UNKN 0x20000UL
#define P_NR_EOH 0x40000UL
#define P_NR_BODY 0x80000UL
#define P_HDR_LEADSPC 0x100000UL
/* what Postfix 3.x offers: every step may be skipped or left unanswered */
#define MP_PROTO_OFFER 0x1fffffUL

#define MP_CHUNK 65535		/* MILTER_CHUNK_SIZE */
#define MP_MAX_PACKET (16UL * 1024 * 1024)

/* macro stages in a SETSYMLIST / OPTNEG reply (SMFIM_*) */
enum { ST_CONNECT, ST_HELO, ST_ENVFROM, ST_ENVRCPT, ST_DATA, ST_EOM, ST_EOH,
       ST_COUNT };

struct MP_CONN {
	int fd;
	int tcp;
	int timeout_ms;
	unsigned long version, actions, protocol;
	char *symlist[ST_COUNT];	/* requested macros, NULL = defaults */
	struct buf out;
	struct buf in;
	char cmd;			/* command byte of the last packet */
	char why[256];
	unsigned long nmsg;
};

static const char *const phase_names[MP_PH_COUNT] = {
	"none", "optneg", "connect", "helo", "mail", "rcpt", "data",
	"header", "eoh", "body", "eom", "quit"
};

/* mp_phase_name - the name of a phase */
const char *mp_phase_name(int phase)
{
	return phase >= 0 && phase < MP_PH_COUNT ? phase_names[phase] : "?";
}

/* mp_phase_parse - phase number for a name, -1 when unknown */
int mp_phase_parse(const char *name)
{
	for (int i = 0; i < MP_PH_COUNT; i++)
		if (strcmp(name, phase_names[i]) == 0)
			return i;
	return -1;
}

/* mp_action_name - the name of an action */
const char *mp_action_name(int action)
{
	static const char *const n[] = { "continue", "accept", "reject",
		"tempfail", "discard", "connfail", "shutdown" };
	return action >= 0 && action <= MP_ACT_SHUTDOWN ? n[action] : "?";
}

/* mp_edit_name - the name of a modification request */
const char *mp_edit_name(int op)
{
	static const char *const n[] = { "addheader", "insheader", "chgheader",
		"quarantine", "addrcpt", "addrcpt_par", "delrcpt", "chgfrom",
		"replbody" };
	return op >= 0 && op <= MP_ED_REPLBODY ? n[op] : "?";
}

/* now - monotonic seconds */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* fail - record why the conversation broke; returns MP_ERROR */
static int fail(MP_CONN *c, const char *fmt, const char *arg)
{
	snprintf(c->why, sizeof(c->why), fmt, arg ? arg : "");
	return MP_ERROR;
}

/* mp_why - text of the last error */
const char *mp_why(const MP_CONN *c)
{
	return c->why;
}

/* wait_fd - poll for events within the timeout; 0 ready, -1 timed out */
static int wait_fd(MP_CONN *c, short ev)
{
	struct pollfd p = { .fd = c->fd, .events = ev };
	int r;

	do
		r = poll(&p, 1, c->timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

/* write_all - send len bytes within the timeout */
static int write_all(MP_CONN *c, const char *p, size_t len)
{
	while (len > 0) {
		if (wait_fd(c, POLLOUT) < 0)
			return fail(c, "timeout writing to milter%s", NULL);
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail(c, "write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return MP_OK;
}

/* read_all - read exactly len bytes within the timeout */
static int read_all(MP_CONN *c, char *p, size_t len)
{
	while (len > 0) {
		if (wait_fd(c, POLLIN) < 0)
			return fail(c, "timeout reading from milter%s", NULL);
		if (c->tcp) {	/* see mp_open */
			int one = 1;
			(void)setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one,
					 sizeof(one));
		}
		ssize_t n = recv(c->fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return fail(c, "milter closed the connection%s", NULL);
		if (n < 0)
			return fail(c, "read: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return MP_OK;
}

/* put32 - append a 32-bit integer in network order */
static void put32(struct buf *b, uint32_t v)
{
	uint32_t n = htonl(v);

	buf_add(b, &n, 4);
}

/* get32 - read a 32-bit integer in network order */
static uint32_t get32(const char *p)
{
	uint32_t n;

	memcpy(&n, p, 4);
	return ntohl(n);
}

/* queue_packet - add command cmd with data to the output, unsent */
static void queue_packet(MP_CONN *c, char cmd, const char *data, size_t len)
{
	put32(&c->out, (uint32_t)len + 1);
	buf_addc(&c->out, cmd);
	if (len > 0)
		buf_add(&c->out, data, len);
}

/* send_packet - send what is queued and command cmd with data, in one
 * write: macros travel with their command, as Postfix's buffered stream
 * sends them */
static int send_packet(MP_CONN *c, char cmd, const char *data, size_t len)
{
	int r;

	queue_packet(c, cmd, data, len);
	r = write_all(c, c->out.data, c->out.len);
	buf_reset(&c->out);
	return r;
}

/* read_packet - read one packet into c->in (data) and c->cmd */
static int read_packet(MP_CONN *c)
{
	char hdr[5];
	uint32_t len;

	if (read_all(c, hdr, 5) != MP_OK)
		return MP_ERROR;
	len = get32(hdr);
	if (len < 1 || len > MP_MAX_PACKET)
		return fail(c, "bad packet length from milter%s", NULL);
	c->cmd = hdr[4];
	buf_reset(&c->in);
	if (len > 1) {
		char *tmp = xmalloc(len - 1);
		if (read_all(c, tmp, len - 1) != MP_OK) {
			free(tmp);
			return MP_ERROR;
		}
		buf_add(&c->in, tmp, len - 1);
		free(tmp);
	}
	buf_addc(&c->in, 0);	/* guard NUL, not counted below */
	c->in.len--;
	return MP_OK;
}

/* connect_spec - open a socket for inet:PORT@HOST, inet6:..., unix:/p */
static int connect_spec(const char *spec, char *why, size_t whylen)
{
	const char *rest = strchr(spec, ':');
	char host[256], port[32];

	if (rest && (strncmp(spec, "unix:", 5) == 0 ||
		     strncmp(spec, "local:", 6) == 0)) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		if (strlen(rest + 1) >= sizeof(sun.sun_path)) {
			snprintf(why, whylen, "socket path too long");
			return -1;
		}
		strcpy(sun.sun_path, rest + 1);
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun,
				       sizeof(sun)) == 0)
			return fd;
		snprintf(why, whylen, "connect %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!rest || (strncmp(spec, "inet:", 5) && strncmp(spec, "inet6:", 6))) {
		snprintf(why, whylen, "unsupported socket %s", spec);
		return -1;
	}
	rest++;
	const char *at = strchr(rest, '@');
	if (at) {		/* libmilter: PORT@HOST */
		snprintf(port, sizeof(port), "%.*s", (int)(at - rest), rest);
		snprintf(host, sizeof(host), "%s", at + 1);
	} else if ((at = strrchr(rest, ':')) != NULL) {	/* Postfix: HOST:PORT */
		snprintf(host, sizeof(host), "%.*s", (int)(at - rest), rest);
		snprintf(port, sizeof(port), "%s", at + 1);
	} else {
		snprintf(host, sizeof(host), "127.0.0.1");
		snprintf(port, sizeof(port), "%s", rest);
	}
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int e = getaddrinfo(host, port, &hints, &res);
	if (e != 0) {
		snprintf(why, whylen, "%s: %s", spec, gai_strerror(e));
		return -1;
	}
	int fd = -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			int one = 1;	/* small commands, one reply each */
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
					 sizeof(one));
			break;
		}
		snprintf(why, whylen, "connect %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* mp_open - connect to a milter socket; nothing is sent yet */
MP_CONN *mp_open(const char *spec, int timeout_ms, char *why, size_t whylen)
{
	int fd = connect_spec(spec, why, whylen);

	if (fd < 0)
		return NULL;
	MP_CONN *c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	/* libmilter writes a reply as several small packets without
	 * TCP_NODELAY; acknowledging at once keeps Nagle's algorithm on the
	 * milter's side from holding the last one for a delayed ACK (40 ms) */
	c->tcp = strncmp(spec, "inet", 4) == 0;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	buf_init(&c->out);
	buf_init(&c->in);
	return c;
}

/* mp_close - QUIT (when asked) and close; frees c */
void mp_close(MP_CONN *c, int send_quit)
{
	if (c == NULL)
		return;
	if (send_quit && c->fd >= 0)
		(void)send_packet(c, 'Q', NULL, 0);
	if (c->fd >= 0)
		close(c->fd);
	for (int i = 0; i < ST_COUNT; i++)
		free(c->symlist[i]);
	buf_free(&c->out);
	buf_free(&c->in);
	free(c);
}

/* mp_negotiated - the version, actions and protocol steps agreed */
void mp_negotiated(const MP_CONN *c, unsigned long *version,
		   unsigned long *actions, unsigned long *protocol)
{
	*version = c->version;
	*actions = c->actions;
	*protocol = c->protocol;
}

/* mp_leadspc - whether header values carry their leading space */
int mp_leadspc(const MP_CONN *c)
{
	return (c->protocol & P_HDR_LEADSPC) != 0;
}

/* mp_optneg - offer version 6, all actions (or env's), Postfix's steps; keep the
 * milter's answer and any macro lists it asks for */
int mp_optneg(MP_CONN *c, const MP_ENV *env)
{
	struct buf b = BUF_INIT;
	unsigned long offered;
	int r;

	if (env->close_at == MP_PH_OPTNEG) {
		close(c->fd);
		c->fd = -1;
		return MP_CLOSED;
	}
	offered = env->limit_actions ? env->actions & MP_ACTIONS_ALL : MP_ACTIONS_ALL;
	put32(&b, MP_VERSION);
	put32(&b, offered);
	put32(&b, MP_PROTO_OFFER);
	r = send_packet(c, 'O', b.data, b.len);
	buf_free(&b);
	if (r != MP_OK || read_packet(c) != MP_OK)
		return MP_ERROR;
	if (c->cmd != 'O' || c->in.len < 12)
		return fail(c, "bad OPTNEG reply%s", NULL);
	c->version = get32(c->in.data);
	c->actions = get32(c->in.data + 4);
	c->protocol = get32(c->in.data + 8);
	if (c->version < 2 || c->version > MP_VERSION)
		return fail(c, "milter protocol version unsupported%s", NULL);
	if ((c->actions & ~offered) ||
	    (c->protocol & ~MP_PROTO_OFFER & 0xffffffUL))
		return fail(c, "milter asked for steps not offered%s", NULL);
	/* macro lists: (uint32 stage, "name name ..." NUL)* */
	for (size_t off = 12; off + 4 < c->in.len;) {
		uint32_t st = get32(c->in.data + off);
		const char *s = c->in.data + off + 4;
		size_t n = strnlen(s, c->in.len - off - 4);
		if (st < ST_COUNT) {
			free(c->symlist[st]);
			c->symlist[st] = xstrndup(s, n);
		}
		off += 4 + n + 1;
	}
	return MP_OK;
}

/* wanted - whether macro name (braced or not) is in the list */
static int wanted(const char *list, const char *name)
{
	char bare[64];
	size_t n = strlen(name);

	if (list == NULL)
		return 1;
	if (name[0] == '{' && n > 2)
		snprintf(bare, sizeof(bare), "%.*s", (int)(n - 2), name + 1);
	else
		snprintf(bare, sizeof(bare), "%s", name);
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t len = strcspn(p, " ,");
		const char *w = p;
		size_t wl = len;
		if (wl > 2 && w[0] == '{' && w[wl - 1] == '}') {
			w++;
			wl -= 2;
		}
		if (wl == strlen(bare) && strncmp(w, bare, wl) == 0)
			return 1;
		p += len;
	}
	return 0;
}

/* send_macros - 'D' packet for the command cmd: name/value pairs, the
 * unset ones and those the milter did not ask for left out */
static int send_macros(MP_CONN *c, int stage, char cmd, const char *const *nv)
{
	struct buf b = BUF_INIT;
	int any = 0, r = MP_OK;

	buf_addc(&b, cmd);
	for (; nv[0]; nv += 2) {
		if (nv[1] == NULL || !wanted(c->symlist[stage], nv[0]))
			continue;
		buf_add(&b, nv[0], strlen(nv[0]) + 1);
		buf_add(&b, nv[1], strlen(nv[1]) + 1);
		any = 1;
	}
	if (any)
		queue_packet(c, 'D', b.data, b.len);
	buf_free(&b);
	return r;
}

/* add_edit - record one modification request */
static MP_EDIT *add_edit(MP_RESULT *res, int op)
{
	if (res->nedits == res->cap) {
		res->cap = res->cap ? res->cap * 2 : 8;
		res->edits = xrealloc(res->edits, res->cap * sizeof(MP_EDIT));
	}
	MP_EDIT *e = &res->edits[res->nedits++];
	memset(e, 0, sizeof(*e));
	e->op = op;
	return e;
}

/* take_strings - split a packet's data into up to n NUL-terminated
 * strings starting at off; 0 when fewer than need were found */
static int take_strings(MP_CONN *c, size_t off, const char **s, int n,
			int need)
{
	int k = 0;

	while (k < n && off < c->in.len) {
		s[k++] = c->in.data + off;
		off += strnlen(c->in.data + off, c->in.len - off) + 1;
	}
	for (int i = k; i < n; i++)
		s[i] = "";
	return k >= need;
}

/* edit_packet - record a modification packet; MP_ERROR when malformed */
static int edit_packet(MP_CONN *c, MP_RESULT *res)
{
	const char *s[2];
	MP_EDIT *e;
	int op, indexed = 0;

	switch (c->cmd) {
	case 'h': op = MP_ED_ADDHEADER; break;
	case 'i': op = MP_ED_INSHEADER; indexed = 1; break;
	case 'm': op = MP_ED_CHGHEADER; indexed = 1; break;
	case 'q': op = MP_ED_QUARANTINE; break;
	case '+': op = MP_ED_ADDRCPT; break;
	case '2': op = MP_ED_ADDRCPT_PAR; break;
	case '-': op = MP_ED_DELRCPT; break;
	case 'e': op = MP_ED_CHGFROM; break;
	case 'b':
		e = add_edit(res, MP_ED_REPLBODY);
		e->len = c->in.len;
		e->value = xmalloc(c->in.len + 1);
		memcpy(e->value, c->in.data, c->in.len + 1);
		return MP_OK;
	default:
		return fail(c, "unexpected reply from milter%s", NULL);
	}
	if (indexed && c->in.len < 4)
		return fail(c, "short header edit from milter%s", NULL);
	if (!take_strings(c, indexed ? 4 : 0, s, 2,
			  op == MP_ED_ADDHEADER || indexed ? 2 : 1))
		return fail(c, "malformed %s from milter", mp_edit_name(op));
	e = add_edit(res, op);
	e->index = indexed ? (long)get32(c->in.data) : 0;
	e->name = xstrdup(s[0]);
	e->value = xstrdup(s[1]);
	return MP_OK;
}

/* add_reply - record a reply other than continue */
static void add_reply(MP_RESULT *res, int phase, int act, const char *text)
{
	res->replies = xrealloc(res->replies,
				(res->nreplies + 1) * sizeof(MP_REPLY));
	MP_REPLY *r = &res->replies[res->nreplies++];
	r->phase = phase;
	r->action = act;
	r->text = text ? xstrdup(text) : NULL;
}

/* read_reply - read packets until the reply to the command of phase;
 * *act gets the action ('c' continue, 's' skip, ...) */
static int read_reply(MP_CONN *c, int phase, MP_RESULT *res, int *act)
{
	for (;;) {
		if (read_packet(c) != MP_OK)
			return MP_ERROR;
		switch (c->cmd) {
		case 'p':
			continue;
		case 'c': *act = MP_ACT_CONTINUE; break;
		case 'a': *act = MP_ACT_ACCEPT; break;
		case 'r': *act = MP_ACT_REJECT; break;
		case 't': *act = MP_ACT_TEMPFAIL; break;
		case 'd': *act = MP_ACT_DISCARD; break;
		case 'f': *act = MP_ACT_CONNFAIL; break;
		case '4': *act = MP_ACT_SHUTDOWN; break;
		case 's':
			if (phase != MP_PH_BODY)
				return fail(c, "skip outside body%s", NULL);
			*act = -1;
			break;
		case 'y':
			*act = c->in.data[0] == '4' ? MP_ACT_TEMPFAIL :
			       c->in.data[0] == '5' ? MP_ACT_REJECT : -2;
			if (*act == -2)
				return fail(c, "bad reply code from milter%s",
					    NULL);
			add_reply(res, phase, *act, c->in.data);
			res->t_done[phase] = now();
			return MP_OK;
		default:
			if (phase != MP_PH_EOM)
				return fail(c, "modification before eom%s",
					    NULL);
			if (edit_packet(c, res) != MP_OK)
				return MP_ERROR;
			continue;
		}
		if (*act != MP_ACT_CONTINUE && *act != -1)
			add_reply(res, phase, *act, NULL);
		res->t_done[phase] = now();
		return MP_OK;
	}
}

/* step - send one command of phase and read its reply unless the milter
 * asked for none; *act as read_reply. Honours abort_at / close_at. */
/* hold - env's hold_at: say so (HOLD_FILE.reached), then wait for the
 * test to create HOLD_FILE (polled; a minute at most); -1 on failure */
static int hold(const MP_ENV *env)
{
	char reached[4096];
	FILE *f;
	int i;

	snprintf(reached, sizeof(reached), "%s.reached", env->hold_file);
	if ((f = fopen(reached, "w")) == NULL)
		return -1;
	fclose(f);
	for (i = 0; i < 6000; i++) {
		if (access(env->hold_file, F_OK) == 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

static int step(MP_CONN *c, const MP_ENV *env, int phase, char cmd,
		const char *data, size_t len, unsigned long nr, MP_RESULT *res,
		int *act)
{
	*act = MP_ACT_CONTINUE;
	if (env->hold_at == phase && env->hold_file != NULL && hold(env) != 0)
		return MP_ERROR;
	if (env->close_at == phase || env->abort_at == phase)
		buf_reset(&c->out);	/* no macros for a command not sent */
	if (env->close_at == phase) {
		close(c->fd);
		c->fd = -1;
		return MP_CLOSED;
	}
	if (env->abort_at == phase)
		return send_packet(c, 'A', NULL, 0) == MP_OK ? MP_ABORTED :
							      MP_ERROR;
	if (send_packet(c, cmd, data, len) != MP_OK)
		return MP_ERROR;
	if (c->protocol & nr) {
		res->t_done[phase] = now();
		return MP_OK;
	}
	return read_reply(c, phase, res, act);
}

/* gap - before phase, wait the SMTP client's round trip when asked: the
 * time the MTA spends waiting for the client's next command (or, before
 * the headers, for the message itself) */
static void gap(const MP_ENV *env, int phase)
{
	struct timespec ts;

	if (env->gap_s <= 0 || !(env->gap_at & (1u << phase)))
		return;
	ts.tv_sec = (time_t)env->gap_s;
	ts.tv_nsec = (long)((env->gap_s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* decided - an early action ends the conversation for this phase */
static int decided(MP_RESULT *res, int phase, int act)
{
	if (act == MP_ACT_CONTINUE)
		return 0;
	res->action = act;
	res->phase = phase;
	free(res->reply);
	res->reply = NULL;
	if (res->nreplies > 0 && res->replies[res->nreplies - 1].text)
		res->reply = xstrdup(res->replies[res->nreplies - 1].text);
	return 1;
}

/* mp_connect - CONNECT and HELO with their macros */
int mp_connect(MP_CONN *c, const MP_ENV *env, MP_RESULT *res)
{
	const char *ip = env->client_ip ? env->client_ip : "198.18.0.1";
	char name[300], under[400];
	struct buf b = BUF_INIT;
	unsigned char a6[16];
	int r, act = MP_ACT_CONTINUE;

	res->t_start = now();
	res->leadspc = mp_leadspc(c);
	snprintf(name, sizeof(name), "%s", env->client_name ? env->client_name
			: "");
	if (name[0] == '\0')	/* Postfix passes "[addr]" for "unknown" */
		snprintf(name, sizeof(name), "[%s]", ip);
	snprintf(under, sizeof(under), "%s [%s]", name, ip);
	const char *const m[] = { "j", env->hostname ? env->hostname :
		"mx.test.example", "{daemon_name}", env->daemon_name ?
		env->daemon_name : "smtpd", "v", "Postfix 3.7.11", "_", under,
		"{client_addr}", ip, "{client_name}", env->client_name ?
		env->client_name : "unknown", "{client_port}", "54321",
		NULL, NULL };
	if (env->close_at != MP_PH_CONNECT && !(c->protocol & P_NOCONNECT) &&
	    send_macros(c, ST_CONNECT, 'C', m) != MP_OK)
		return MP_ERROR;
	buf_add(&b, name, strlen(name) + 1);
	if (inet_pton(AF_INET6, ip, a6) == 1)
		buf_addc(&b, '6');
	else
		buf_addc(&b, '4');
	buf_addc(&b, 54321 >> 8);
	buf_addc(&b, 54321 & 0xff);
	buf_add(&b, ip, strlen(ip) + 1);
	if (c->protocol & P_NOCONNECT && env->close_at != MP_PH_CONNECT &&
	    env->abort_at != MP_PH_CONNECT)
		r = MP_OK;
	else
		r = step(c, env, MP_PH_CONNECT, 'C', b.data, b.len, P_NR_CONN,
			 res, &act);
	buf_free(&b);
	if (r != MP_OK)
		return r;
	if (decided(res, MP_PH_CONNECT, act))
		return MP_DONE;
	const char *helo = env->helo ? env->helo : "client.test.example";
	gap(env, MP_PH_HELO);
	if ((c->protocol & P_NOHELO) && env->close_at != MP_PH_HELO &&
	    env->abort_at != MP_PH_HELO)
		return MP_OK;
	r = step(c, env, MP_PH_HELO, 'H', helo, strlen(helo) + 1, P_NR_HELO,
		 res, &act);
	if (r != MP_OK)
		return r;
	return decided(res, MP_PH_HELO, act) ? MP_DONE : MP_OK;
}

/* skipped - whether a step is left out: asked for by the milter and not
 * the target of --abort-at / --close-at */
static int skipped(const MP_CONN *c, const MP_ENV *env, int phase,
		   unsigned long no)
{
	return (c->protocol & no) && env->abort_at != phase &&
	       env->close_at != phase;
}

/* envelope - MAIL and RCPT; MP_DONE when no recipient is left */
static int envelope(MP_CONN *c, const MP_ENV *env, const char *qid,
		    MP_RESULT *res)
{
	char arg[1100];
	int r, act, okr = 0, last = MP_ACT_CONTINUE;

	const char *const mm[] = { "i", qid, "{auth_type}", env->auth_user ?
		"PLAIN" : NULL, "{auth_authen}", env->auth_user,
		"{mail_addr}", env->from ? env->from : "", NULL, NULL };
	gap(env, MP_PH_MAIL);
	if (!skipped(c, env, MP_PH_MAIL, P_NOMAIL)) {
		if (env->abort_at != MP_PH_MAIL && env->close_at != MP_PH_MAIL &&
		    send_macros(c, ST_ENVFROM, 'M', mm) != MP_OK)
			return MP_ERROR;
		snprintf(arg, sizeof(arg), "<%s>", env->from ? env->from : "");
		r = step(c, env, MP_PH_MAIL, 'M', arg, strlen(arg) + 1,
			 P_NR_MAIL, res, &act);
		if (r != MP_OK)
			return r;
		if (decided(res, MP_PH_MAIL, act))
			return MP_DONE;
	}
	for (size_t i = 0; i < env->nrcpts || (i == 0 && env->nrcpts == 0);
	     i++) {
		const char *rc = env->nrcpts ? env->rcpts[i] :
					       "postmaster@test.example";
		const char *const rm[] = { "{rcpt_addr}", rc, NULL, NULL };
		if (i == 0)
			gap(env, MP_PH_RCPT);
		if (skipped(c, env, MP_PH_RCPT, P_NORCPT)) {
			okr++;
			continue;
		}
		if (env->abort_at != MP_PH_RCPT && env->close_at != MP_PH_RCPT &&
		    send_macros(c, ST_ENVRCPT, 'R', rm) != MP_OK)
			return MP_ERROR;
		snprintf(arg, sizeof(arg), "<%s>", rc);
		r = step(c, env, MP_PH_RCPT, 'R', arg, strlen(arg) + 1,
			 P_NR_RCPT, res, &act);
		if (r != MP_OK)
			return r;
		if (act == MP_ACT_ACCEPT || act == MP_ACT_DISCARD)
			return decided(res, MP_PH_RCPT, act) ? MP_DONE : MP_OK;
		if (act == MP_ACT_CONTINUE)
			okr++;
		else
			last = act;	/* this recipient only */
	}
	if (okr == 0)
		return decided(res, MP_PH_RCPT, last) ? MP_DONE : MP_OK;
	return MP_OK;
}

/* content - DATA, headers, EOH, body chunks; MP_DONE on an early action */
static int content(MP_CONN *c, const MP_ENV *env, const MP_MSG *msg,
		   const char *qid, MP_RESULT *res)
{
	const char *const im[] = { "i", qid, NULL, NULL };
	struct buf b = BUF_INIT;
	int r = MP_OK, act = MP_ACT_CONTINUE;

	gap(env, MP_PH_DATA);
	if (c->version >= 4 && !skipped(c, env, MP_PH_DATA, P_NODATA)) {
		if (send_macros(c, ST_DATA, 'T', im) != MP_OK)
			return MP_ERROR;
		r = step(c, env, MP_PH_DATA, 'T', NULL, 0, P_NR_DATA, res, &act);
		if (r != MP_OK || decided(res, MP_PH_DATA, act))
			return r != MP_OK ? r : MP_DONE;
	}
	gap(env, MP_PH_HEADER);
	res->t_content = now();
	for (size_t i = 0; !skipped(c, env, MP_PH_HEADER, P_NOHDRS) &&
	     (i < msg->nhdrs || (i == 0 && env->abort_at == MP_PH_HEADER) ||
	      (i == 0 && env->close_at == MP_PH_HEADER)); i++) {
		const char *v = i < msg->nhdrs ? msg->hdrs[i].value : "";
		if (!mp_leadspc(c))	/* Postfix strips it for old milters */
			v += strspn(v, " \t");
		buf_reset(&b);
		buf_adds(&b, i < msg->nhdrs ? msg->hdrs[i].name : "X");
		buf_addc(&b, 0);
		buf_adds(&b, v);
		buf_addc(&b, 0);
		r = step(c, env, MP_PH_HEADER, 'L', b.data, b.len, P_NR_HDR,
			 res, &act);
		if (r != MP_OK || decided(res, MP_PH_HEADER, act))
			break;
	}
	buf_free(&b);
	if (r != MP_OK || res->action != MP_ACT_CONTINUE)
		return r != MP_OK ? r : MP_DONE;
	if (!skipped(c, env, MP_PH_EOH, P_NOEOH)) {
		if (send_macros(c, ST_EOH, 'N', im) != MP_OK)
			return MP_ERROR;
		r = step(c, env, MP_PH_EOH, 'N', NULL, 0, P_NR_EOH, res, &act);
		if (r != MP_OK || decided(res, MP_PH_EOH, act))
			return r != MP_OK ? r : MP_DONE;
	}
	gap(env, MP_PH_BODY);
	for (size_t off = 0; !skipped(c, env, MP_PH_BODY, P_NOBODY) &&
	     (off < msg->bodylen || (off == 0 && (env->abort_at == MP_PH_BODY
	      || env->close_at == MP_PH_BODY)));) {
		size_t n = msg->bodylen - off < MP_CHUNK ? msg->bodylen - off :
			   MP_CHUNK;
		r = step(c, env, MP_PH_BODY, 'B', msg->body + off, n,
			 P_NR_BODY, res, &act);
		if (r != MP_OK || act == -1)	/* -1: skip the rest */
			break;
		if (decided(res, MP_PH_BODY, act))
			return MP_DONE;
		off += n ? n : 1;
	}
	return r;
}

/* mp_message - one transaction: MAIL, RCPT..., DATA, headers, EOH, body,
 * EOM. An early decision ends it with MP_DONE after an ABORT, as Postfix
 * resets the milter before the next transaction. */
int mp_message(MP_CONN *c, const MP_ENV *env, const MP_MSG *msg,
	       MP_RESULT *res)
{
	char qid[64];
	int r, act = MP_ACT_CONTINUE;

	res->t_start = now();
	res->leadspc = mp_leadspc(c);
	c->nmsg++;
	if (env->queue_id)
		snprintf(qid, sizeof(qid), "%s", env->queue_id);
	else
		snprintf(qid, sizeof(qid), "4Q%05lX%04lX",
			 (unsigned long)getpid() & 0xfffff, c->nmsg & 0xffff);
	r = envelope(c, env, qid, res);
	if (r == MP_OK)
		r = content(c, env, msg, qid, res);
	if (r == MP_DONE)
		return send_packet(c, 'A', NULL, 0) == MP_OK ? MP_DONE :
							      MP_ERROR;
	if (r != MP_OK)
		return r;
	const char *const im[] = { "i", qid, NULL, NULL };
	gap(env, MP_PH_EOM);
	if (env->abort_at != MP_PH_EOM && env->close_at != MP_PH_EOM &&
	    send_macros(c, ST_EOM, 'E', im) != MP_OK)
		return MP_ERROR;
	r = step(c, env, MP_PH_EOM, 'E', NULL, 0, 0, res, &act);
	if (r != MP_OK)
		return r;
	res->action = act == MP_ACT_CONTINUE ? MP_ACT_ACCEPT : act;
	res->phase = MP_PH_EOM;
	return MP_OK;
}

/* mp_abort - ABORT the current transaction */
int mp_abort(MP_CONN *c)
{
	return send_packet(c, 'A', NULL, 0);
}

/* mp_result_init - an empty result */
void mp_result_init(MP_RESULT *res)
{
	memset(res, 0, sizeof(*res));
}

/* mp_result_clear - free what a result holds and empty it */
void mp_result_clear(MP_RESULT *res)
{
	for (size_t i = 0; i < res->nedits; i++) {
		free(res->edits[i].name);
		free(res->edits[i].value);
	}
	free(res->edits);
	for (size_t i = 0; i < res->nreplies; i++)
		free(res->replies[i].text);
	free(res->replies);
	free(res->reply);
	mp_result_init(res);
}
