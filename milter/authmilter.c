/*
 * authmilter.c - the daemon's main: options, start-up order, shutdown
 *
 * Start-up order matters: configuration is checked before anything else; the
 * process detaches before any thread exists (the resolver starts one); the
 * socket is bound and keys are read before privileges are dropped.
 */
#include "config.h"

#include <getopt.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <maxminddb.h>
#include <opendkim/dkim.h>
#include <openssl/crypto.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <spf2/spf.h>
#include <unbound.h>
#include <libxml/xmlversion.h>
#include <zlib.h>

#include "callbacks.h"
#include "daemon.h"
#include "log.h"
#include "metrics_http.h"
#include "runner.h"

enum { OPT_TEST = 256, OPT_IP, OPT_HOST, OPT_HELO, OPT_FROM, OPT_RCPT, OPT_AUTH,
	OPT_DAEMON, OPT_QID, OPT_JSON, OPT_SAMPLE, OPT_MAN };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "check", no_argument, NULL, 'n' },
	{ "version", no_argument, NULL, 'V' },
	{ "test-message", required_argument, NULL, OPT_TEST },
	{ "client-ip", required_argument, NULL, OPT_IP },
	{ "client-host", required_argument, NULL, OPT_HOST },
	{ "helo", required_argument, NULL, OPT_HELO },
	{ "mail-from", required_argument, NULL, OPT_FROM },
	{ "rcpt", required_argument, NULL, OPT_RCPT },
	{ "auth-user", required_argument, NULL, OPT_AUTH },
	{ "daemon-name", required_argument, NULL, OPT_DAEMON },
	{ "queue-id", required_argument, NULL, OPT_QID },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "dump-sample", no_argument, NULL, OPT_SAMPLE },
	{ "dump-man", no_argument, NULL, OPT_MAN },
	{ NULL, 0, NULL, 0 }
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: authmilter -c FILE [-f] [-n] [-V]\n"
	    "       authmilter -c FILE --test-message FILE [--client-ip IP] [--helo NAME]\n"
	    "           [--mail-from ADDR] [--rcpt ADDR]... [--auth-user NAME] [--json]\n"
	    "       authmilter --dump-sample | --dump-man\n");
	exit(64);
}

/* print_versions - ours and every linked library's */
static void
print_versions(void)
{
	unsigned int ma, mi, pl;
	unsigned long dv = dkim_libversion();

	printf("authmilter %s\n", PACKAGE_VERSION);
	smfi_version(&ma, &mi, &pl);
	printf("libmilter %u.%u.%u\n", ma, mi, pl);
	printf("libopendkim %lu.%lu.%lu\n", (dv >> 24) & 0xff, (dv >> 16) & 0xff, (dv >> 8) & 0xff);
	printf("libidn2 %s\n", idn2_check_version(NULL));
	printf("libspf2 %d.%d.%d\n", SPF_LIB_VERSION_MAJOR, SPF_LIB_VERSION_MINOR, SPF_LIB_VERSION_PATCH);
	printf("libunbound %s\n", ub_version());
	printf("libmaxminddb %s\n", MMDB_lib_version());
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	printf("zlib %s\n", zlibVersion());
	printf("libxml2 %s\n", LIBXML_DOTTED_VERSION);
}

/* struct opts - what the command line asks for */
struct opts {
	const char     *conf_path;
	int		foreground;	/* -f */
	int		check;		/* -n */
	struct runner_opts ro;		/* --test-message and its envelope */
};

/* dump - --dump-sample or --dump-man on stdout, generated from the tables */
static void
dump(int sample)
{
	struct buf out = BUF_INIT;

	buf_init(&out);
	if (sample)
		conf_write_sample(&out);
	else
		conf_write_man(&out, PACKAGE_VERSION);
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
}

/* parse_options - the command line into o: -1 to go on, else the exit
 * status of an option that did all there was to do (-V, --dump-*) */
static int
parse_options(int argc, char **argv, struct opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "c:fnV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf_path = optarg; break;
		case 'f': o->foreground = 1; break;
		case 'n': o->check = 1; break;
		case 'V': print_versions(); return 0;
		case OPT_TEST: o->ro.message = optarg; break;
		case OPT_IP: o->ro.client_ip = optarg; break;
		case OPT_HOST: o->ro.client_host = optarg; break;
		case OPT_HELO: o->ro.helo = optarg; break;
		case OPT_FROM: o->ro.mail_from = optarg; break;
		case OPT_RCPT: strlist_add(&o->ro.rcpts, optarg); break;
		case OPT_AUTH: o->ro.auth_user = optarg; break;
		case OPT_DAEMON: o->ro.daemon_name = optarg; break;
		case OPT_QID: o->ro.queue_id = optarg; break;
		case OPT_JSON: o->ro.json = 1; break;
		case OPT_SAMPLE: dump(1); return 0;
		case OPT_MAN: dump(0); return 0;
		default: usage();
		}
	}
	if (o->conf_path == NULL || optind != argc)
		usage();
	return -1;
}

/* load - the configuration file, read once; NULL with the reason logged */
static struct conf *
load(const char *path)
{
	struct buf err = BUF_INIT;
	struct conf *c;

	buf_init(&err);
	if ((c = conf_load(path, &err)) == NULL)
		log_err("%s", err.data);
	buf_free(&err);
	return c;
}

/* build - the engine over c (taken over); NULL with the reason logged and
 * told to a parent waiting for start-up */
static struct engine *
build(struct conf *c)
{
	struct buf err = BUF_INIT;
	struct engine *e;

	buf_init(&err);
	if ((e = engine_new(c, &err)) == NULL) {
		log_err("%s", err.data);
		daemon_ready(0, err.data);
	} else
		conf_log_notices(e->conf);	/* once per start: this is the load kept */
	buf_free(&err);
	return e;
}

/* run_offline - -n and --test-message: the engine, no daemon */
static int
run_offline(struct conf *c, const struct opts *o)
{
	struct engine *e;
	int rc;

	if ((e = build(c)) == NULL)
		return 1;
	rc = o->ro.message ? runner_run(e, &o->ro) : 0;
	if (o->check)
		fprintf(stderr, "authmilter: %s: configuration OK\n", o->conf_path);
	engine_unref(e);
	return rc;
}

/* start_milter - from a built engine to serving: libmilter, history file,
 * socket, pid file, privileges, signal thread; then tell the parent.  0, or
 * -1 with the parent told */
static int
start_milter(struct engine *e, const char *conf_path)
{
	if (smfi_register(callbacks_desc) != MI_SUCCESS) {
		daemon_ready(0, "smfi_register failed");
		fatalx("smfi_register failed");
	}
	/* accept header fields up to 1 MiB (Postfix sends up to header_size_limit, 100 KiB) */
	(void)smfi_setmaxdatasize(1024 * 1024 - 1);
	if (e->conf->milter_debug)
		smfi_setdbg((int)e->conf->milter_debug);
	if (daemon_history(e, NULL) != 0 || daemon_socket(e->conf) != 0 ||
	    daemon_write_pidfile(e->conf->pidfile) != 0 ||
	    metrics_http_start(e->conf->metrics_socket) != 0 ||
	    daemon_drop_privileges(e->conf) != 0) {
		daemon_ready(0, "see the log");
		return -1;
	}
	callbacks_set_engine(e);
	daemon_thread_stacks();
	if (daemon_start_signal_thread(conf_path) != 0)
		fatalx("cannot start the signal thread");
	log_info("authmilter %s starting: socket=%s", PACKAGE_VERSION, e->conf->socket);
	daemon_ready(1, NULL);
	return 0;
}

/* stop_milter - after smfi_main: let the messages in flight finish (up to
 * 60 s), remove the pid file, release the engine in use */
static void
stop_milter(void)
{
	struct engine *e;
	int waited;

	for (waited = 0; callbacks_active() > 0 && waited < 600; waited++)
		usleep(100000);
	if (callbacks_active() > 0)
		log_warnx("exiting with %d connections still open", callbacks_active());
	e = callbacks_engine();
	if (e && e->conf->pidfile)
		unlink(e->conf->pidfile);
	engine_unref(e);
	callbacks_set_engine(NULL);
	metrics_http_stop();
	log_info("authmilter stopped");
}

/* run_daemon - log as c says, detach before any thread exists (the
 * resolver starts one), build the engine over c (taken over), serve */
static int
run_daemon(struct conf *c, const char *conf_path, int foreground)
{
	struct engine *e;
	int rc;

	foreground = foreground || !c->background;
	log_open("authmilter", c->syslog, c->syslog_facility, foreground);
	daemon_block_signals();
	daemon_malloc_arenas();
	if (!foreground && daemon_detach() != 0)
		fatal("cannot fork");
	if ((e = build(c)) == NULL)
		return 1;
	if (start_milter(e, conf_path) != 0) {
		engine_unref(e);
		return 1;
	}
	rc = smfi_main();
	/* stop accepting happened in libmilter */
	stop_milter();
	return rc == MI_SUCCESS ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct conf *c;
	int rc;

	if ((rc = parse_options(argc, argv, &o)) >= 0)
		return rc;
	log_open("authmilter", 0, NULL, 1);
	if ((c = load(o.conf_path)) == NULL)
		rc = 1;
	else if (o.check || o.ro.message)
		rc = run_offline(c, &o);
	else
		rc = run_daemon(c, o.conf_path, o.foreground);
	strlist_free(&o.ro.rcpts);
	return rc;
}
